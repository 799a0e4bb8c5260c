package dev.broker.store.mvstore.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerConfig.FsyncPolicy;
import dev.broker.spi.BrokerObserver;
import dev.broker.spi.StoredTopic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MvMessageStoreTest checks what is particular to the MVStore store: segments, group commit, the file lock. */
class MvMessageStoreTest {
    private static final TopicName T = TopicName.of("orders");

    @TempDir
    Path dir;

    private MvMessageStore open(BrokerObserver observer) throws IOException {
        return MvMessageStore.open(new MvStoreConfig(dir, FsyncPolicy.NEVER, 4), observer);
    }

    private static List<Message> messages(long from, long to) {
        List<Message> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(new Message(new UUID(o, o), T, o, Instant.ofEpochMilli(1_700_000_000_000L + o), Map.of(), "{\"n\":" + o + "}"));
        }
        return out;
    }

    @Test
    void retentionDropsWholeSegmentsAndKeepsTheRest() throws Exception {
        try (MvMessageStore store = open(new BrokerObserver() { })) {
            int n = MvMessageStore.SEGMENT * 3 + 10;
            store.append(T, messages(0, n)).toCompletableFuture().join();
            store.truncate(T, MvMessageStore.SEGMENT * 2L + 5);
            // An append after the truncation completes only once the truncation is written (one queue).
            store.append(T, messages(n, n + 1)).toCompletableFuture().join();
            assertEquals(MvMessageStore.SEGMENT * 2L + 5, store.read(T, 0, 1).get(0).offset());
            long maps = store.mapNames().stream().filter(name -> name.startsWith("s:orders:")).count();
            assertEquals(2, maps, "segments wholly below the first offset are dropped, the others kept");
        }
        try (MvMessageStore reopened = open(new BrokerObserver() { })) {
            StoredTopic t = reopened.recover().topics().get(0);
            assertEquals(new StoredTopic(T, MvMessageStore.SEGMENT * 2L + 5, MvMessageStore.SEGMENT * 3L + 11), t);
        }
    }

    @Test
    void concurrentAppendsShareCommits() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        AtomicLong operations = new AtomicLong();
        BrokerObserver counting = new BrokerObserver() {
            @Override
            public void storeCommit(int ops, long nanos) {
                commits.incrementAndGet();
                operations.addAndGet(ops);
            }
        };
        try (MvMessageStore store = open(counting)) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                TopicName topic = TopicName.of("t" + (i % 20));
                pending.add(store.append(topic, List.of(new Message(new UUID(0, i), topic, i / 20, Instant.EPOCH, Map.of(),
                        "1"))).toCompletableFuture());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            assertEquals(2000, operations.get());
            assertTrue(commits.get() < 2000, "2000 queued appends took " + commits.get() + " commits: no group commit");
        }
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefusedWithAClearMessage() throws Exception {
        try (MvMessageStore first = open(new BrokerObserver() { })) {
            IOException e = assertThrows(IOException.class, () -> open(new BrokerObserver() { }));
            assertTrue(e.getMessage().contains("is in use by another broker"), e.getMessage());
        }
    }

    @Test
    void anUnwritableDataDirectoryIsRefusedAtOpen() throws Exception {
        Path file = Files.createFile(dir.resolve("not-a-directory"));
        IOException e = assertThrows(IOException.class,
                () -> MvMessageStore.open(new MvStoreConfig(file.resolve("data"), FsyncPolicy.NEVER, 4), new BrokerObserver() { }));
        assertTrue(e.getMessage().startsWith("cannot create DATA_DIR"), e.getMessage());
    }

    @Test
    void whatOnlyTheJournalHoldsIsReplayedAfterACrash() throws Exception {
        MvMessageStore store = open(new BrokerObserver() { });
        store.append(T, messages(0, 500)).toCompletableFuture().join();
        store.truncate(T, 100);
        store.append(T, messages(500, 510)).toCompletableFuture().join();
        // The writer has not reached a checkpoint (every 200 ms) for the last writes.
        store.crash();
        assertTrue(!store.journalFiles().isEmpty(), "the crash left no journal");
        try (MvMessageStore reopened = open(new BrokerObserver() { })) {
            assertEquals(List.of(new StoredTopic(T, 100, 510)), reopened.recover().topics());
            List<Message> read = reopened.read(T, 0, 1000);
            assertEquals(410, read.size());
            assertEquals(messages(100, 510), read);
        }
    }

    @Test
    void aWriteCutShortAtTheEndOfTheJournalIsIgnored() throws Exception {
        MvMessageStore store = open(new BrokerObserver() { });
        store.append(T, messages(0, 20)).toCompletableFuture().join();
        store.crash();
        List<Path> files = store.journalFiles();
        Path last = files.get(files.size() - 1);
        byte[] intact = Files.readAllBytes(last);
        // the first bytes of a record whose write a crash interrupted
        Files.write(last, new byte[] {0, 0, 1, 0, 7, 7, 7}, java.nio.file.StandardOpenOption.APPEND);
        try (MvMessageStore reopened = open(new BrokerObserver() { })) {
            assertEquals(messages(0, 20), reopened.read(T, 0, 100));
            reopened.append(T, messages(20, 25)).toCompletableFuture().join();
            assertEquals(25, reopened.read(T, 0, 100).size());
        }
        assertTrue(intact.length > 0);
        try (MvMessageStore again = open(new BrokerObserver() { })) {
            assertEquals(messages(0, 25), again.read(T, 0, 100));
        }
    }

    @Test
    void checkpointsDeleteTheJournalTheFileHolds() throws Exception {
        try (MvMessageStore store = open(new BrokerObserver() { })) {
            for (int i = 0; i < 20; i++) {
                store.append(T, messages(i * 100L, i * 100L + 100)).toCompletableFuture().join();
                Thread.sleep(50);
            }
            Thread.sleep(3 * MvMessageStore.CHECKPOINT_MILLIS);
            assertTrue(store.journalFiles().size() <= 2, "journal files pile up: " + store.journalFiles());
        }
        try (MvMessageStore reopened = open(new BrokerObserver() { })) {
            assertEquals(2000, reopened.read(T, 0, 5000).size());
        }
    }

    @Test
    void segmentsWrittenByTheFirstVersionAreStillRead() throws Exception {
        // The first version kept messages in maps of MVStore's generic type, named m:<topic>:<segment>.
        List<Message> old = messages(0, 10);
        try (org.h2.mvstore.MVStore s = new org.h2.mvstore.MVStore.Builder()
                .fileName(dir.resolve(MvStoreConfig.FILE_NAME).toString()).open()) {
            org.h2.mvstore.MVMap<Long, byte[]> segment = s.openMap("m:orders:0");
            for (Message m : old) {
                segment.put(m.offset(), Codec.encode(m));
            }
            s.<String, String>openMap("topics").put("orders", "0,10");
            s.commit();
        }
        try (MvMessageStore store = open(new BrokerObserver() { })) {
            assertEquals(old, store.read(T, 0, 100));
            store.append(T, messages(10, 12)).toCompletableFuture().join();
            assertEquals(messages(0, 12), store.read(T, 0, 100));
            store.truncate(T, 5);
            store.append(T, messages(12, 13)).toCompletableFuture().join();
            assertEquals(messages(5, 13), store.read(T, 0, 100));
        }
        try (MvMessageStore reopened = open(new BrokerObserver() { })) {
            assertEquals(messages(5, 13), reopened.read(T, 0, 100));
        }
    }

    @Test
    void truncationsOfOneBatchLandAfterItsAppendsButNeverAfterADelete() throws Exception {
        try (MvMessageStore store = open(new BrokerObserver() { })) {
            store.append(T, messages(0, 10)).toCompletableFuture().join();
            // Queued back to back, these are most likely one batch of the writer.
            store.truncate(T, 4);
            CompletableFuture<Void> more = store.append(T, messages(10, 12)).toCompletableFuture();
            store.truncate(T, 6);
            more.join();
            store.append(T, messages(12, 13)).toCompletableFuture().join();
            assertEquals(messages(6, 13), store.read(T, 0, 100));
            store.truncate(T, 11);
            store.delete(T);
            store.append(T, messages(0, 3)).toCompletableFuture().join();
            assertEquals(messages(0, 3), store.read(T, 0, 100), "a truncation queued before the delete does not reach the new topic");
        }
        try (MvMessageStore reopened = open(new BrokerObserver() { })) {
            assertEquals(messages(0, 3), reopened.read(T, 0, 100));
        }
    }
}
