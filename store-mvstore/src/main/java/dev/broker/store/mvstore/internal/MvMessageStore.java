package dev.broker.store.mvstore.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerConfig.FsyncPolicy;
import dev.broker.spi.BrokerObserver;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoreState;
import dev.broker.spi.StoredGroup;
import dev.broker.spi.StoredTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MvMessageStore keeps topics and groups in one MVStore file.
 *
 * <p>Layout: each topic's messages are split into segments of {@value #SEGMENT} offsets, one map
 * per segment ({@code m:<topic>:<segment>}, offset to encoded message), so retention drops whole
 * maps instead of rewriting or scanning a topic. The map {@code topics} holds each topic's first and
 * next offset; {@code groups} holds each group's progress.
 *
 * <p>Writes: every change (append, group save, truncate, delete) is queued to one writer thread,
 * which applies whatever has queued up and commits it as one MVStore version: concurrent
 * publishers share one write (group commit), a batch is in the file whole or not at all, and
 * stages complete in call order. With {@code FSYNC=always} each commit is forced to the disk
 * before its stages complete; {@code interval} forces once a second; {@code never} leaves it to
 * the operating system. A commit that fails (disk full, directory gone) fails its stages, rolls
 * the file back to the last commit, and makes {@link #problem} report why until a probe write
 * succeeds again.
 *
 * <p>Thread-safety: reads run on any thread against MVStore's lock-free maps; all writes run on
 * the writer thread.
 */
final class MvMessageStore implements MessageStore {
    private static final Logger LOG = LoggerFactory.getLogger(MvMessageStore.class);
    static final int SEGMENT = 4096;
    private static final int MAX_BATCH = 8192;
    private static final long SYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Compaction runs on the writer thread between commits, so it comes in small slices: 2 MB
     * every 100 ms (up to 20 MB/s) holds commits up a few milliseconds at a time, where 16 MB every
     * 500 ms held them up to 55 ms (docs/BENCHMARKS.md).
     */
    private static final long COMPACTION_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int COMPACTION_FILL_RATE = 80;
    private static final int COMPACTION_WRITE_BYTES = 2 * 1024 * 1024;
    private static final String TOPICS = "topics";
    private static final String GROUPS = "groups";
    private static final String PROBE = "probe";

    private final MvStoreConfig config;
    private final BrokerObserver observer;
    private volatile MVStore store;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /**
     * completer completes the stages of committed changes, in commit order, on a thread of its own:
     * what the core runs when a stage completes (recording the offsets as stored, answering the
     * publisher) must not delay the next group commit. See docs/threading.md.
     */
    /** syncer forces the file to the disk once a second with FSYNC=interval, so commits never wait for it. */
    private final ExecutorService syncer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "broker-store-sync");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "broker-store-completer");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<String, MVMap<Long, byte[]>> segments = new ConcurrentHashMap<>();
    /** Segment numbers per topic; owned by the writer thread after start-up. */
    private final Map<TopicName, TreeSet<Long>> segmentIndex = new HashMap<>();
    private volatile String problem;
    private final java.util.concurrent.atomic.AtomicBoolean syncing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile RuntimeException backgroundSyncFailure;
    private volatile boolean closed;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /** Op is one queued change; {@code apply} runs on the writer thread. */
    private abstract static class Op {
        final CompletableFuture<Void> done = new CompletableFuture<>();

        abstract void apply(MvMessageStore s);
    }

    private MvMessageStore(MvStoreConfig config, MVStore store, BrokerObserver observer) {
        this.config = config;
        this.observer = observer;
        this.store = store;
        indexSegments();
        this.writer = new Thread(this::run, "broker-store-writer");
        writer.setDaemon(true);
        writer.start();
    }

    static MvMessageStore open(MvStoreConfig config, BrokerObserver observer) throws IOException {
        Path dir = config.dataDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create DATA_DIR " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("DATA_DIR " + dir.toAbsolutePath() + " is not writable");
        }
        try {
            return new MvMessageStore(config, openStore(config), observer);
        } catch (MVStoreException e) {
            if (e.getErrorCode() == org.h2.mvstore.DataUtils.ERROR_FILE_LOCKED) {
                throw new IOException("DATA_DIR " + dir.toAbsolutePath() + " is in use by another broker (its store file "
                        + config.file().getFileName() + " is locked)", e);
            }
            throw new IOException("cannot open " + config.file().toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static MVStore openStore(MvStoreConfig config) {
        MVStore store = new MVStore.Builder()
                .fileName(config.file().toString())
                .cacheSize(config.cacheMb())
                // Each commit rewrites the B-tree pages it touched: small pages keep a group commit
                // near the size of its new messages (4 KB: about 1.5x the default's throughput here).
                .pageSplitSize(4 * 1024)
                // Only the writer thread commits, so a batch is never split across versions.
                .autoCommitDisabled()
                .open();
        // Freed chunks are overwritten only after the retention time; MVStore's 45 s default, at
        // thousands of commits a second, let the file grow to gigabytes. The time covers what the
        // disk may not have yet: nothing with FSYNC=always, a second's writes with interval.
        store.setRetentionTime(switch (config.fsync()) {
            case ALWAYS -> 0;
            case INTERVAL -> 2_000;
            case NEVER -> 5_000;
        });
        return store;
    }

    // ---- reads, any thread --------------------------------------------------------------------

    @Override
    public StoreState recover() {
        MVStore s = store;
        List<StoredTopic> topics = new ArrayList<>();
        MVMap<String, String> extents = s.openMap(TOPICS);
        for (Map.Entry<String, String> e : extents.entrySet()) {
            long[] ext = parse(e.getValue());
            topics.add(new StoredTopic(TopicName.of(e.getKey()), ext[0], ext[1]));
        }
        List<StoredGroup> groups = new ArrayList<>();
        MVMap<String, byte[]> progress = s.openMap(GROUPS);
        for (Map.Entry<String, byte[]> e : progress.entrySet()) {
            int slash = e.getKey().indexOf('/');
            TopicName topic = TopicName.of(e.getKey().substring(0, slash));
            groups.add(Codec.decode(topic, GroupName.of(e.getKey().substring(slash + 1)), e.getValue()));
        }
        return new StoreState(topics, groups);
    }

    @Override
    public List<Message> read(TopicName topic, long fromOffset, int limit) {
        for (int attempt = 0; ; attempt++) {
            try {
                return readOnce(store, topic, fromOffset, limit);
            } catch (IllegalStateException e) {
                // The store is being reopened after a failed write; reads work again once it is.
                if (attempt == 200 || closed) {
                    throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store cannot be read: " + e.getMessage());
                }
                sleep(10);
            }
        }
    }

    private List<Message> readOnce(MVStore s, TopicName topic, long fromOffset, int limit) {
        String extent = s.<String, String>openMap(TOPICS).get(topic.value());
        if (extent == null || limit <= 0) {
            return List.of();
        }
        long[] ext = parse(extent);
        long o = Math.max(fromOffset, ext[0]);
        long end = Math.min(ext[1], o + limit);
        List<Message> out = new ArrayList<>((int) Math.max(0, Math.min(limit, end - o)));
        while (o < end) {
            long segment = o / SEGMENT;
            MVMap<Long, byte[]> map = segment(s, topic, segment, false);
            long segmentEnd = Math.min(end, (segment + 1) * SEGMENT);
            if (map != null) {
                try {
                    for (; o < segmentEnd; o++) {
                        byte[] bytes = map.get(o);
                        if (bytes != null) {
                            out.add(Codec.decode(topic, o, bytes));
                        }
                    }
                } catch (IllegalStateException e) {
                    if (!map.isClosed() || s.isClosed()) {
                        throw e;
                    }
                    // the segment was dropped by retention while it was read: its offsets are gone
                }
            }
            o = segmentEnd;
        }
        return out;
    }

    @Override
    public Optional<String> problem() {
        return closed ? Optional.of("the store is closed") : Optional.ofNullable(problem);
    }

    // ---- writes, queued to the writer thread --------------------------------------------------

    @Override
    public CompletionStage<Void> append(TopicName topic, List<Message> messages) {
        return enqueue(new Op() {
            @Override
            void apply(MvMessageStore s) {
                s.applyAppend(topic, messages);
            }
        });
    }

    @Override
    public CompletionStage<Void> saveGroup(StoredGroup group) {
        byte[] bytes = Codec.encode(group);
        return enqueue(new Op() {
            @Override
            void apply(MvMessageStore s) {
                s.store.<String, byte[]>openMap(GROUPS).put(group.topic().value() + "/" + group.group().value(), bytes);
                s.ensureExtent(group.topic());
            }
        });
    }

    @Override
    public void truncate(TopicName topic, long firstOffset) {
        enqueue(new Op() {
            @Override
            void apply(MvMessageStore s) {
                s.applyTruncate(topic, firstOffset);
            }
        });
    }

    @Override
    public void delete(TopicName topic) {
        enqueue(new Op() {
            @Override
            void apply(MvMessageStore s) {
                s.applyDelete(topic);
            }
        });
    }

    private CompletionStage<Void> enqueue(Op op) {
        if (closed) {
            return CompletableFuture.failedFuture(new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store is closed"));
        }
        queue.add(op);
        return op.done;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(new Op() {
            @Override
            void apply(MvMessageStore s) {
                // wakes the writer, which sees closed and stops after this batch
            }
        });
        try {
            stopped.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("the store writer did not stop in time: {}", e.toString());
        }
    }

    // ---- the writer thread --------------------------------------------------------------------

    private void run() {
        List<Op> batch = new ArrayList<>();
        long lastSync = System.nanoTime();
        long lastCompaction = System.nanoTime();
        long lastProbe = 0;
        boolean unsynced = false;
        try {
            while (true) {
                Op first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    if (commit(batch)) {
                        unsynced = true;
                    }
                    batch.clear();
                }
                long now = System.nanoTime();
                if (config.fsync() == FsyncPolicy.ALWAYS) {
                    unsynced = false;
                } else if (unsynced && closed) {
                    sync();
                    unsynced = false;
                } else if (unsynced && config.fsync() == FsyncPolicy.INTERVAL && now - lastSync >= SYNC_INTERVAL_NANOS
                        && syncing.compareAndSet(false, true)) {
                    // The force takes milliseconds; commits go on meanwhile (it takes no MVStore lock).
                    MVStore s = store;
                    syncer.execute(() -> syncInBackground(s));
                    unsynced = false;
                    lastSync = now;
                }
                RuntimeException syncFailure = backgroundSyncFailure;
                if (syncFailure != null) {
                    backgroundSyncFailure = null;
                    failed(syncFailure);
                }
                if (problem == null && now - lastCompaction >= COMPACTION_INTERVAL_NANOS) {
                    lastCompaction = now;
                    compact();
                }
                if (problem != null && !closed && now - lastProbe >= PROBE_INTERVAL_NANOS) {
                    lastProbe = now;
                    probe();
                }
                if (closed && queue.isEmpty()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            syncer.shutdown();
            try {
                syncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                store.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the store file failed: {}", e.toString());
            }
            completer.shutdown();
            try {
                completer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.complete(null);
        }
    }

    /** commit applies a batch and commits it as one version; returns true if it was written. */
    private boolean commit(List<Op> batch) {
        long began = System.nanoTime();
        try {
            for (Op op : batch) {
                op.apply(this);
            }
            store.commit();
            if (config.fsync() == FsyncPolicy.ALWAYS) {
                store.sync();
            }
        } catch (RuntimeException e) {
            failed(e);
            BrokerException refusal = new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store could not write: " + problem,
                    null, e);
            complete(batch, refusal);
            return false;
        }
        observer.storeCommit(batch.size(), System.nanoTime() - began);
        if (problem != null) {
            LOG.info("the store writes again");
            problem = null;
        }
        complete(batch, null);
        return true;
    }

    /** complete hands the stages of a committed (or refused) batch to the completer thread. */
    private void complete(List<Op> batch, Throwable failure) {
        Op[] ops = batch.toArray(new Op[0]);
        completer.execute(() -> {
            for (Op op : ops) {
                if (failure == null) {
                    op.done.complete(null);
                } else {
                    op.done.completeExceptionally(failure);
                }
            }
        });
    }

    /**
     * compact rewrites the live pages of mostly empty chunks, so their space can be reused: MVStore
     * does this in a background thread that is off here (it would commit half-applied batches).
     */
    private void compact() {
        try {
            store.compact(COMPACTION_FILL_RATE, COMPACTION_WRITE_BYTES);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** syncInBackground forces the file to the disk for FSYNC=interval, off the writer thread. */
    private void syncInBackground(MVStore s) {
        try {
            if (!s.isClosed()) {
                s.sync();
            }
        } catch (RuntimeException e) {
            backgroundSyncFailure = e;
        } finally {
            syncing.set(false);
        }
    }

    private void sync() {
        try {
            store.sync();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** probe tries a small write while the store has a problem, so it recovers by itself. */
    private void probe() {
        try {
            store.<String, Long>openMap(PROBE).put("probe", System.currentTimeMillis());
            store.commit();
            LOG.info("the store writes again");
            problem = null;
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** failed records why a write failed and brings the file back to its last commit. */
    private void failed(RuntimeException e) {
        String why = describe(e);
        if (!why.equals(problem)) {
            LOG.error("the store cannot write to {}: {}", config.file().toAbsolutePath(), why);
        }
        problem = why;
        MVStore s = store;
        if (!s.isClosed()) {
            try {
                s.rollback();
                return;
            } catch (RuntimeException rollbackFailed) {
                s.closeImmediately();
            }
        }
        // MVStore closes itself after a failed write; open the file again at its last commit.
        segments.clear();
        for (int attempt = 0; !closed; attempt++) {
            try {
                store = openStore(config);
                indexSegments();
                return;
            } catch (RuntimeException reopen) {
                if (attempt % 50 == 0) {
                    LOG.error("reopening the store file failed: {}", describe(reopen));
                }
                sleep(100);
            }
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }

    // ---- changes, applied on the writer thread ------------------------------------------------

    private void applyAppend(TopicName topic, List<Message> messages) {
        MVMap<String, String> extents = store.openMap(TOPICS);
        long firstOffset = messages.get(0).offset();
        String extent = extents.get(topic.value());
        long first = firstOffset;
        if (extent != null) {
            long[] ext = parse(extent);
            first = ext[0] == ext[1] && firstOffset > ext[1] ? firstOffset : ext[0];
        }
        MVMap<Long, byte[]> map = null;
        long mapSegment = -1;
        for (Message m : messages) {
            long segment = m.offset() / SEGMENT;
            if (segment != mapSegment) {
                map = segment(store, topic, segment, true);
                mapSegment = segment;
            }
            map.put(m.offset(), Codec.encode(m));
        }
        extents.put(topic.value(), first + "," + (messages.get(messages.size() - 1).offset() + 1));
    }

    private void applyTruncate(TopicName topic, long firstOffset) {
        MVMap<String, String> extents = store.openMap(TOPICS);
        String extent = extents.get(topic.value());
        if (extent == null) {
            return;
        }
        long[] ext = parse(extent);
        long first = Math.max(ext[0], firstOffset);
        long next = Math.max(ext[1], first);
        extents.put(topic.value(), first + "," + next);
        TreeSet<Long> index = segmentIndex.get(topic);
        if (index == null) {
            return;
        }
        // Whole segments below the first offset go at once: no rewrite, no scan.
        for (Long segment : new ArrayList<>(index.headSet(first / SEGMENT))) {
            removeSegment(topic, segment);
        }
    }

    private void applyDelete(TopicName topic) {
        TreeSet<Long> index = segmentIndex.get(topic);
        if (index != null) {
            for (Long segment : new ArrayList<>(index)) {
                removeSegment(topic, segment);
            }
            segmentIndex.remove(topic);
        }
        store.<String, String>openMap(TOPICS).remove(topic.value());
        MVMap<String, byte[]> groups = store.openMap(GROUPS);
        String prefix = topic.value() + "/";
        for (String key : new ArrayList<>(groups.keySet())) {
            if (key.startsWith(prefix)) {
                groups.remove(key);
            }
        }
    }

    private void ensureExtent(TopicName topic) {
        MVMap<String, String> extents = store.openMap(TOPICS);
        extents.putIfAbsent(topic.value(), "0,0");
    }

    private void removeSegment(TopicName topic, long segment) {
        String name = segmentName(topic, segment);
        segments.remove(name);
        if (store.hasMap(name)) {
            store.removeMap(name);
        }
        TreeSet<Long> index = segmentIndex.get(topic);
        if (index != null) {
            index.remove(segment);
        }
    }

    private MVMap<Long, byte[]> segment(MVStore s, TopicName topic, long segment, boolean create) {
        String name = segmentName(topic, segment);
        MVMap<Long, byte[]> map = segments.get(name);
        if (map != null && !map.isClosed()) {
            return map;
        }
        if (!create && !s.hasMap(name)) {
            return null;
        }
        map = s.openMap(name);
        segments.put(name, map);
        if (create) {
            segmentIndex.computeIfAbsent(topic, t -> new TreeSet<>()).add(segment);
        }
        return map;
    }

    private void indexSegments() {
        segmentIndex.clear();
        for (String name : store.getMapNames()) {
            if (name.startsWith("m:")) {
                int colon = name.lastIndexOf(':');
                TopicName topic = TopicName.of(name.substring(2, colon));
                segmentIndex.computeIfAbsent(topic, t -> new TreeSet<>()).add(Long.parseLong(name.substring(colon + 1)));
            }
        }
    }

    /** mapNames lists the maps in the file, for tests. */
    java.util.Set<String> mapNames() {
        return store.getMapNames();
    }

    private static String segmentName(TopicName topic, long segment) {
        return "m:" + topic.value() + ":" + segment;
    }

    private static long[] parse(String extent) {
        int comma = extent.indexOf(',');
        return new long[] {Long.parseLong(extent, 0, comma, 10), Long.parseLong(extent, comma + 1, extent.length(), 10)};
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
