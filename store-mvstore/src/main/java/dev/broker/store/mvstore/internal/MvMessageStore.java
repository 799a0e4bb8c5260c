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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MvMessageStore keeps topics and groups in one MVStore file, with a journal in front of it.
 *
 * <p>Layout: each topic's messages are split into segments of {@value #SEGMENT} offsets, one map
 * per segment ({@code s:<topic>:<segment>}, offset to encoded message), so retention drops whole
 * maps instead of rewriting or scanning a topic. The map {@code topics} holds each topic's first and
 * next offset; {@code groups} holds each group's progress; {@code journal} the first journal
 * generation the file does not hold yet.
 *
 * <p>Writes: every change (append, group save, truncate, delete) is queued to one writer thread,
 * which takes whatever has queued up, appends its records to the {@link Journal} with one write
 * (group commit; with {@code FSYNC=always} forced to the disk), applies them to the MVStore maps in
 * memory and completes their stages in call order. MVStore itself commits only at a checkpoint,
 * every {@value #CHECKPOINT_MILLIS} ms on the checkpoint thread, which then deletes the journal
 * generations the file holds. A {@code kill -9} keeps every answered change: the operating system
 * has the journal, and start-up replays it. See docs/decisions/0005-durable-store.md.
 *
 * <p>Failure: a journal write or a checkpoint that fails (disk full, directory gone) fails the
 * stages it holds and makes {@link #problem} report why; until a probe (a journal write and a
 * checkpoint, once a second) succeeds, every change is refused. A failed checkpoint reopens the
 * file at its last commit and replays the journal into it, so nothing answered is lost.
 *
 * <p>Thread-safety: reads run on any thread against MVStore's lock-free maps; every change and
 * the journal's writes run on the writer thread; MVStore commits, syncs and compaction run on the
 * checkpoint thread, never two at a time.
 */
final class MvMessageStore implements MessageStore {
    private static final Logger LOG = LoggerFactory.getLogger(MvMessageStore.class);
    static final int SEGMENT = 4096;
    private static final int MAX_BATCH = 8192;
    /** A checkpoint every 200 ms keeps the changes MVStore holds in the heap to what arrives in that time. */
    static final long CHECKPOINT_MILLIS = 200;
    /** A journal generation this large is checkpointed at once, so a burst does not pile up in the heap. */
    private static final long CHECKPOINT_BYTES = 16L * 1024 * 1024;
    private static final long SYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Compaction rewrites the live pages of mostly empty chunks after a checkpoint, a slice at a
     * time, on the checkpoint thread: it holds up no publish.
     */
    private static final int COMPACTION_FILL_RATE = 80;
    private static final int COMPACTION_WRITE_BYTES = 4 * 1024 * 1024;
    /**
     * Segment maps are typed (long offsets, byte-array records): MVStore's generic type, which
     * the first version used ({@code m:} maps, still read), spent more time on type checks than
     * on the data (docs/BENCHMARKS.md).
     */
    private static final String SEGMENT_PREFIX = "s:";
    private static final String LEGACY_SEGMENT_PREFIX = "m:";
    private static final String TOPICS = "topics";
    private static final String GROUPS = "groups";
    private static final String JOURNAL = "journal";
    private static final String JOURNAL_FROM = "from";

    private static final byte NOOP = 0;
    private static final byte APPEND = 1;
    private static final byte SAVE_GROUP = 2;
    private static final byte TRUNCATE = 3;
    private static final byte DELETE = 4;

    private final MvStoreConfig config;
    private final BrokerObserver observer;
    private volatile MVStore store;
    /**
     * extents and progress are the {@code topics} and {@code groups} maps of {@link #store},
     * opened once per file (opening a map by name looks it up in MVStore's metadata).
     */
    private volatile MVMap<String, String> extents;
    private volatile MVMap<String, byte[]> progress;
    private final Journal journal;
    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /**
     * completer completes the stages of written changes, in order, on a thread of its own: what
     * the core runs when a stage completes (recording the offsets as stored, answering the
     * publisher) must not delay the next group commit. See docs/threading.md.
     */
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "broker-store-completer");
        t.setDaemon(true);
        return t;
    });
    /** checkpointer commits MVStore, forces the journal once a second with FSYNC=interval, and compacts. */
    private final ExecutorService checkpointer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "broker-store-checkpoint");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<SegmentKey, MVMap<Long, byte[]>> segments = new ConcurrentHashMap<>();
    /** Segment numbers per topic; owned by the writer thread after start-up. */
    private final Map<TopicName, TreeSet<Long>> segmentIndex = new HashMap<>();
    private volatile String problem;
    /** busy is set while the checkpoint thread has a task (a checkpoint or a force). */
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Exception backgroundFailure;
    private volatile boolean closed;
    private volatile boolean crashed;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /**
     * Op is one queued change: its journal record, made on the caller's thread, and how to apply
     * it to the maps on the writer thread.
     */
    private abstract static class Op {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final ByteBuffer record;

        Op(ByteBuffer record) {
            this.record = record;
        }

        abstract void apply(MvMessageStore s);
    }

    private MvMessageStore(MvStoreConfig config, MVStore store, Journal journal, BrokerObserver observer) throws IOException {
        this.config = config;
        this.observer = observer;
        this.store = store;
        this.journal = journal;
        openMaps(store);
        indexSegments();
        replayJournal();
        long next = Math.max(fromGeneration(), journal.generations().isEmpty() ? 1 : journal.generations().lastKey() + 1);
        journal.rotate(next);
        checkpoint(store, next);
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
        MVStore store;
        try {
            store = openStore(config);
        } catch (MVStoreException e) {
            if (e.getErrorCode() == org.h2.mvstore.DataUtils.ERROR_FILE_LOCKED) {
                throw new IOException("DATA_DIR " + dir.toAbsolutePath() + " is in use by another broker (its store file "
                        + config.file().getFileName() + " is locked)", e);
            }
            throw new IOException("cannot open " + config.file().toAbsolutePath() + ": " + e.getMessage(), e);
        }
        try {
            return new MvMessageStore(config, store, Journal.open(dir), observer);
        } catch (IOException | RuntimeException e) {
            store.closeImmediately();
            throw new IOException("cannot recover " + config.file().toAbsolutePath() + " from its journal: " + e.getMessage(), e);
        }
    }

    private static MVStore openStore(MvStoreConfig config) {
        MVStore store = new MVStore.Builder()
                .fileName(config.file().toString())
                .cacheSize(config.cacheMb())
                // Each commit rewrites the B-tree pages it touched: small pages keep a checkpoint
                // near the size of its new messages.
                .pageSplitSize(4 * 1024)
                // Only the checkpoint thread commits: the journal, not MVStore, decides what is durable.
                .autoCommitDisabled()
                .open();
        // Freed chunks are overwritten only after the retention time (MVStore's default is 45 s);
        // the time covers what the disk may not have yet: nothing with FSYNC=always, a second's
        // writes with interval.
        store.setRetentionTime(switch (config.fsync()) {
            case ALWAYS -> 0;
            case INTERVAL -> 2_000;
            case NEVER -> 5_000;
        });
        return store;
    }

    private void openMaps(MVStore s) {
        extents = s.openMap(TOPICS);
        progress = s.openMap(GROUPS);
    }

    /** fromGeneration is the first journal generation the store file does not hold. */
    private long fromGeneration() {
        Long from = store.<String, Long>openMap(JOURNAL).get(JOURNAL_FROM);
        return from == null ? 0 : from;
    }

    /** replayJournal applies every journal record the store file does not hold yet. */
    private void replayJournal() throws IOException {
        long from = fromGeneration();
        long records = journal.replay(from, this::applyRecord);
        if (records > 0) {
            LOG.info("replayed {} journal records into {}", records, config.file().getFileName());
        }
    }

    /**
     * checkpoint commits everything applied so far as one MVStore version that says the journal
     * starts at generation {@code from}, puts it on the disk (but with FSYNC=never), and deletes
     * the older generations. Runs on the checkpoint thread, or on the writer while that thread is idle.
     */
    private void checkpoint(MVStore s, long from) throws IOException {
        s.<String, Long>openMap(JOURNAL).put(JOURNAL_FROM, from);
        s.commit();
        if (config.fsync() != FsyncPolicy.NEVER) {
            s.sync();
        }
        journal.deleteBefore(from);
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
        return reading(s -> readOnce(s, topic, fromOffset, limit));
    }

    @Override
    public long dataBytes(TopicName topic, long fromOffset, long toOffset) {
        return reading(s -> {
            long[] bytes = {0};
            forEachStored(s, topic, fromOffset, toOffset, (o, value) -> bytes[0] += Codec.dataLength(value));
            return bytes[0];
        });
    }

    /**
     * reading runs a read against the current file, again a while later if the file is being
     * opened again after a failed write: reads work again once it is.
     */
    private <T> T reading(java.util.function.Function<MVStore, T> read) {
        for (int attempt = 0; ; attempt++) {
            try {
                return read.apply(store);
            } catch (IllegalStateException e) {
                if (attempt == 200 || closed) {
                    throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store cannot be read: " + e.getMessage());
                }
                sleep(10);
            }
        }
    }

    private List<Message> readOnce(MVStore s, TopicName topic, long fromOffset, int limit) {
        String extent = (s == store ? extents : s.<String, String>openMap(TOPICS)).get(topic.value());
        if (extent == null || limit <= 0) {
            return List.of();
        }
        long[] ext = parse(extent);
        long from = Math.max(fromOffset, ext[0]);
        long end = Math.min(ext[1], from + limit);
        List<Message> out = new ArrayList<>((int) Math.max(0, Math.min(limit, end - from)));
        forEachStored(s, topic, from, end, (o, value) -> out.add(Codec.decode(topic, o, value)));
        return out;
    }

    /** Stored takes one stored record: its offset and its bytes. */
    @FunctionalInterface
    private interface Stored {
        void accept(long offset, byte[] value);
    }

    /** forEachStored hands each record in {@code [from, to)} to {@code each}, segment by segment, in offset order. */
    private void forEachStored(MVStore s, TopicName topic, long from, long to, Stored each) {
        long o = from;
        while (o < to) {
            long segment = o / SEGMENT;
            MVMap<Long, byte[]> map = segment(s, topic, segment, false);
            long segmentEnd = Math.min(to, (segment + 1) * SEGMENT);
            if (map != null) {
                try {
                    for (; o < segmentEnd; o++) {
                        byte[] value = map.get(o);
                        if (value != null) {
                            each.accept(o, value);
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
    }

    @Override
    public Optional<String> problem() {
        return closed ? Optional.of("the store is closed") : Optional.ofNullable(problem);
    }

    // ---- writes, queued to the writer thread --------------------------------------------------

    @Override
    public CompletionStage<Void> append(TopicName topic, List<Message> messages) {
        long[] offsets = new long[messages.size()];
        byte[][] values = new byte[messages.size()][];
        byte[] name = utf8(topic.value());
        int size = 1 + 4 + name.length + 4;
        for (int i = 0; i < values.length; i++) {
            offsets[i] = messages.get(i).offset();
            values[i] = Codec.encode(messages.get(i));
            size += 8 + 4 + values[i].length;
        }
        ByteBuffer record = ByteBuffer.allocate(size);
        record.put(APPEND).putInt(name.length).put(name).putInt(values.length);
        for (int i = 0; i < values.length; i++) {
            record.putLong(offsets[i]).putInt(values[i].length).put(values[i]);
        }
        return enqueue(new Op(record.flip()) {
            @Override
            void apply(MvMessageStore s) {
                s.applyAppend(topic, offsets, values);
            }
        });
    }

    @Override
    public CompletionStage<Void> saveGroup(StoredGroup group) {
        String key = group.topic().value() + "/" + group.group().value();
        byte[] bytes = Codec.encode(group);
        byte[] name = utf8(key);
        ByteBuffer record = ByteBuffer.allocate(1 + 4 + name.length + 4 + bytes.length);
        record.put(SAVE_GROUP).putInt(name.length).put(name).putInt(bytes.length).put(bytes);
        return enqueue(new Op(record.flip()) {
            @Override
            void apply(MvMessageStore s) {
                s.applySaveGroup(key, bytes);
            }
        });
    }

    @Override
    public void truncate(TopicName topic, long firstOffset) {
        byte[] name = utf8(topic.value());
        ByteBuffer record = ByteBuffer.allocate(1 + 4 + name.length + 8);
        record.put(TRUNCATE).putInt(name.length).put(name).putLong(firstOffset);
        enqueue(new Op(record.flip()) {
            @Override
            void apply(MvMessageStore s) {
                // Applied once per batch and topic, after the batch's other changes (see write).
                s.pendingTruncates.merge(topic, firstOffset, Math::max);
            }
        });
    }

    @Override
    public void delete(TopicName topic) {
        byte[] name = utf8(topic.value());
        ByteBuffer record = ByteBuffer.allocate(1 + 4 + name.length);
        record.put(DELETE).putInt(name.length).put(name);
        enqueue(new Op(record.flip()) {
            @Override
            void apply(MvMessageStore s) {
                s.pendingTruncates.remove(topic); // deleted with the topic; later ones are added after
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
        queue.add(new Op(ByteBuffer.allocate(0)) {
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
        long lastCheckpoint = System.nanoTime();
        long lastProbe = 0;
        boolean unsynced = false;
        try {
            while (true) {
                Op first = queue.poll(CHECKPOINT_MILLIS / 2, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    if (write(batch)) {
                        unsynced = true;
                    }
                    batch.clear();
                }
                Exception failure = backgroundFailure;
                if (failure != null) {
                    backgroundFailure = null;
                    failed(failure, true);
                }
                long now = System.nanoTime();
                if (problem != null) {
                    if (!closed && now - lastProbe >= PROBE_INTERVAL_NANOS && !busy.get()) {
                        lastProbe = now;
                        probe();
                    }
                } else if (journal.position() > 0 && !busy.get()
                        && (now - lastCheckpoint >= TimeUnit.MILLISECONDS.toNanos(CHECKPOINT_MILLIS)
                                || journal.position() >= CHECKPOINT_BYTES)
                        && busy.compareAndSet(false, true)) {
                    lastCheckpoint = now;
                    startCheckpoint();
                    unsynced = false;
                } else if (unsynced && config.fsync() == FsyncPolicy.INTERVAL && now - lastSync >= SYNC_INTERVAL_NANOS
                        && busy.compareAndSet(false, true)) {
                    // The force takes milliseconds; writes go on meanwhile.
                    lastSync = now;
                    unsynced = false;
                    checkpointer.execute(this::forceInBackground);
                }
                if (closed && queue.isEmpty()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown();
        }
    }

    /** shutdown waits for the checkpoint thread, makes a last checkpoint and closes the file. */
    private void shutdown() {
        checkpointer.shutdown();
        try {
            checkpointer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (crashed) {
            store.closeImmediately();
            try {
                journal.close();
            } catch (IOException e) {
                // as a crash would leave it
            }
            completer.shutdown();
            stopped.complete(null);
            return;
        }
        try {
            if (problem == null && !store.isClosed()) {
                long next = journal.generation() + 1;
                journal.rotate(next);
                checkpoint(store, next);
                journal.deleteBefore(next + 1);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("the last checkpoint failed; the journal will be replayed at the next start: {}", describe(e));
        }
        try {
            journal.close();
            store.close();
        } catch (IOException | RuntimeException e) {
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

    /**
     * write journals a batch with one write, applies it to the maps and completes its stages;
     * returns true if it was written. While the store has a problem every batch is refused.
     */
    private boolean write(List<Op> batch) {
        long began = System.nanoTime();
        if (problem != null) {
            complete(batch, refusal());
            return false;
        }
        List<ByteBuffer> records = new ArrayList<>(batch.size());
        for (Op op : batch) {
            if (op.record.hasRemaining()) {
                records.add(op.record);
            }
        }
        try {
            if (!records.isEmpty()) {
                journal.write(records);
                if (config.fsync() == FsyncPolicy.ALWAYS) {
                    journal.force();
                }
            }
        } catch (IOException | RuntimeException e) {
            failed(e, false);
            complete(batch, refusal());
            return false;
        }
        try {
            for (Op op : batch) {
                op.apply(this);
            }
            applyPendingTruncates();
        } catch (RuntimeException e) {
            // The journal has the batch: rebuild the maps from the file and the journal.
            failed(e, true);
        }
        observer.storeCommit(batch.size(), System.nanoTime() - began);
        complete(batch, null);
        return true;
    }

    private BrokerException refusal() {
        return new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store could not write: " + problem);
    }

    /** complete hands the stages of a written (or refused) batch to the completer thread. */
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
     * startCheckpoint starts a journal generation and has the checkpoint thread commit what the
     * older ones hold, then compact a slice of the file. Writes go on meanwhile: a change applied
     * during the commit is in the new generation, and replaying it again is harmless (every
     * record sets what it changes, so applying it twice leaves what applying it once does).
     */
    private void startCheckpoint() {
        long next = journal.generation() + 1;
        try {
            journal.rotate(next);
        } catch (IOException e) {
            busy.set(false);
            failed(e, false);
            return;
        }
        MVStore s = store;
        checkpointer.execute(() -> {
            try {
                checkpoint(s, next);
                s.compact(COMPACTION_FILL_RATE, COMPACTION_WRITE_BYTES);
            } catch (IOException | RuntimeException e) {
                backgroundFailure = e;
            } finally {
                busy.set(false);
            }
        });
    }

    /** forceInBackground puts the journal on the disk for FSYNC=interval, off the writer thread. */
    private void forceInBackground() {
        try {
            journal.force();
        } catch (java.nio.channels.ClosedChannelException rotated) {
            // a checkpoint started a new generation; it syncs the file that holds the older ones
        } catch (IOException | RuntimeException e) {
            backgroundFailure = e;
        } finally {
            busy.set(false);
        }
    }

    /**
     * probe tries a journal write and a checkpoint while the store has a problem, so it recovers by
     * itself once the disk has room again.
     */
    private void probe() {
        try {
            journal.write(List.of(ByteBuffer.wrap(new byte[] {NOOP})));
            journal.force();
            long next = journal.generation() + 1;
            journal.rotate(next);
            checkpoint(store, next);
            LOG.info("the store writes again");
            problem = null;
        } catch (IOException | RuntimeException e) {
            failed(e, true);
        }
    }

    /**
     * failed records why a write failed. With {@code rebuild} (a failed checkpoint or apply) the
     * maps may not hold what the journal holds, so the file is opened again at its last commit and
     * the journal replayed into it.
     */
    private void failed(Exception e, boolean rebuild) {
        String why = describe(e);
        if (!why.equals(problem)) {
            LOG.error("the store cannot write to {}: {}", config.dataDir().toAbsolutePath(), why);
        }
        problem = why;
        pendingTruncates.clear();
        if (!rebuild) {
            return;
        }
        // A checkpoint in progress must not touch the file while it is opened again.
        for (int waited = 0; busy.get() && waited < 30_000; waited++) {
            sleep(1);
        }
        store.closeImmediately();
        segments.clear();
        for (int attempt = 0; !closed; attempt++) {
            try {
                store = openStore(config);
                openMaps(store);
                indexSegments();
                replayJournal();
                return;
            } catch (IOException | RuntimeException reopen) {
                if (attempt % 50 == 0) {
                    LOG.error("reopening the store file failed: {}", describe(reopen));
                }
                if (!store.isClosed()) {
                    store.closeImmediately();
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

    /**
     * pendingTruncates holds a batch's truncations, the highest first offset per topic: a full
     * topic truncates once per publish, and applying each one cost a fifth of the writer's time
     * (docs/BENCHMARKS.md). Truncating after the batch's appends leaves what truncating in turn
     * would: the first offset is the highest asked for, and the next offset the highest written;
     * but a truncation that empties the topic lands before the next append to it, and one queued
     * before a delete is dropped with the topic. Writer thread only.
     */
    private final Map<TopicName, Long> pendingTruncates = new HashMap<>();

    private void applyPendingTruncates() {
        if (!pendingTruncates.isEmpty()) {
            pendingTruncates.forEach(this::applyTruncate);
            pendingTruncates.clear();
        }
    }

    /** applyRecord applies one journal record, as its change did when it was first written. */
    private void applyRecord(ByteBuffer r) {
        byte type = r.get();
        switch (type) {
            case NOOP -> { }
            case APPEND -> {
                TopicName topic = TopicName.of(string(r));
                int n = r.getInt();
                long[] offsets = new long[n];
                byte[][] values = new byte[n][];
                for (int i = 0; i < n; i++) {
                    offsets[i] = r.getLong();
                    values[i] = new byte[r.getInt()];
                    r.get(values[i]);
                }
                applyAppend(topic, offsets, values);
            }
            case SAVE_GROUP -> {
                String key = string(r);
                byte[] bytes = new byte[r.getInt()];
                r.get(bytes);
                applySaveGroup(key, bytes);
            }
            case TRUNCATE -> applyTruncate(TopicName.of(string(r)), r.getLong());
            case DELETE -> applyDelete(TopicName.of(string(r)));
            default -> throw new IllegalStateException("journal record of unknown type " + type);
        }
    }

    private void applyAppend(TopicName topic, long[] offsets, byte[][] values) {
        if (offsets.length == 0) {
            return;
        }
        long firstOffset = offsets[0];
        String extent = extents.get(topic.value());
        Long pending = pendingTruncates.get(topic);
        if (pending != null && extent != null && pending >= parse(extent)[1]) {
            // A truncation to the end (or past it) empties the topic, and an append to an empty
            // topic may start at a later offset: that one must land first.
            pendingTruncates.remove(topic);
            applyTruncate(topic, pending);
            extent = extents.get(topic.value());
        }
        long first = firstOffset;
        if (extent != null) {
            long[] ext = parse(extent);
            first = ext[0] == ext[1] && firstOffset > ext[1] ? firstOffset : ext[0];
        }
        MVMap<Long, byte[]> map = null;
        long mapSegment = -1;
        for (int i = 0; i < offsets.length; i++) {
            long segment = offsets[i] / SEGMENT;
            if (segment != mapSegment) {
                map = segment(store, topic, segment, true);
                mapSegment = segment;
            }
            map.put(offsets[i], values[i]);
        }
        extents.put(topic.value(), first + "," + (offsets[offsets.length - 1] + 1));
    }

    private void applySaveGroup(String key, byte[] bytes) {
        progress.put(key, bytes);
        int slash = key.indexOf('/');
        ensureExtent(TopicName.of(key.substring(0, slash)));
    }

    private void applyTruncate(TopicName topic, long firstOffset) {
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
        extents.remove(topic.value());
        MVMap<String, byte[]> groups = progress;
        String prefix = topic.value() + "/";
        for (String key : new ArrayList<>(groups.keySet())) {
            if (key.startsWith(prefix)) {
                groups.remove(key);
            }
        }
    }

    private void ensureExtent(TopicName topic) {
        extents.putIfAbsent(topic.value(), "0,0");
    }

    private void removeSegment(TopicName topic, long segment) {
        segments.remove(new SegmentKey(topic, segment));
        for (String name : List.of(segmentName(topic, segment), legacySegmentName(topic, segment))) {
            if (store.hasMap(name)) {
                store.removeMap(name);
            }
        }
        TreeSet<Long> index = segmentIndex.get(topic);
        if (index != null) {
            index.remove(segment);
        }
    }

    /** SegmentKey names a segment map in {@link #segments} without building its name. */
    private record SegmentKey(TopicName topic, long segment) {
    }

    private MVMap<Long, byte[]> segment(MVStore s, TopicName topic, long segment, boolean create) {
        SegmentKey key = new SegmentKey(topic, segment);
        MVMap<Long, byte[]> map = segments.get(key);
        if (map != null && !map.isClosed()) {
            return map;
        }
        String name = segmentName(topic, segment);
        String legacy = legacySegmentName(topic, segment);
        if (s.hasMap(name) || (create && !s.hasMap(legacy))) {
            map = s.openMap(name, new MVMap.Builder<Long, byte[]>()
                    .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        } else if (s.hasMap(legacy)) {
            map = s.openMap(legacy);
        } else {
            return null;
        }
        segments.put(key, map);
        if (create) {
            segmentIndex.computeIfAbsent(topic, t -> new TreeSet<>()).add(segment);
        }
        return map;
    }

    private void indexSegments() {
        segmentIndex.clear();
        for (String name : store.getMapNames()) {
            if (name.startsWith(SEGMENT_PREFIX) || name.startsWith(LEGACY_SEGMENT_PREFIX)) {
                int colon = name.lastIndexOf(':');
                TopicName topic = TopicName.of(name.substring(2, colon));
                segmentIndex.computeIfAbsent(topic, t -> new TreeSet<>()).add(Long.parseLong(name.substring(colon + 1)));
            }
        }
    }

    /**
     * crash stops the store as a {@code kill -9} would: the writer and the checkpoint thread stop
     * and the file is closed without a last commit, so only the journal has the latest changes.
     * For tests.
     */
    void crash() throws Exception {
        crashed = true;
        closed = true;
        writer.interrupt();
        writer.join(10_000);
    }

    /** journalFiles lists the journal's files, for tests. */
    List<Path> journalFiles() throws IOException {
        return journal.files();
    }

    /** mapNames lists the maps in the file, for tests. */
    java.util.Set<String> mapNames() {
        return store.getMapNames();
    }

    private static String segmentName(TopicName topic, long segment) {
        return SEGMENT_PREFIX + topic.value() + ":" + segment;
    }

    private static String legacySegmentName(TopicName topic, long segment) {
        return LEGACY_SEGMENT_PREFIX + topic.value() + ":" + segment;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer r) {
        byte[] bytes = new byte[r.getInt()];
        r.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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
