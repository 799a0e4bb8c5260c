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
            long maps = store.mapNames().stream().filter(name -> name.startsWith("m:orders:")).count();
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
}
