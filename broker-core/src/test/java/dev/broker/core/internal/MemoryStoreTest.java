package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.Message;
import dev.broker.api.TopicName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryStoreTest {
    private static final TopicName T = TopicName.of("orders");
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private final MemoryStore store = new MemoryStore();

    private static Message message(TopicName topic, long offset) {
        return new Message(new UUID(offset, offset), topic, offset, NOW, Map.of("n", Long.toString(offset)),
                "{\"offset\":" + offset + "}");
    }

    private static List<Message> messages(TopicName topic, long from, long to) {
        return LongStream.range(from, to).mapToObj(o -> message(topic, o)).toList();
    }

    private void append(long from, long to) {
        store.append(T, messages(T, from, to)).toCompletableFuture().join();
    }

    private static List<Long> offsets(List<Message> messages) {
        return messages.stream().map(Message::offset).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    /** Reads the whole retained range and checks that every message is the one appended at its offset. */
    private void assertHolds(long first, long next) {
        List<Message> all = store.read(T, 0, Integer.MAX_VALUE);
        assertEquals(range(first, next), offsets(all));
        for (Message m : all) {
            assertEquals(message(T, m.offset()), m);
        }
    }

    @Test
    void newStoreRecoversNothingAndCanWrite() {
        assertEquals(dev.broker.spi.StoreState.EMPTY, store.recover());
        assertEquals(Optional.empty(), store.problem());
    }

    @Test
    void appendCompletesAtOnce() {
        assertTrue(store.append(T, messages(T, 0, 3)).toCompletableFuture().isDone());
    }

    @Test
    void readsRanges() {
        append(0, 5);
        assertEquals(messages(T, 0, 5), store.read(T, 0, 10));
        assertEquals(range(2, 4), offsets(store.read(T, 2, 2)));
        assertEquals(range(4, 5), offsets(store.read(T, 4, 100)));
        assertEquals(List.of(), store.read(T, 5, 10));
        assertEquals(List.of(), store.read(T, 50, 10));
        assertEquals(range(0, 1), offsets(store.read(T, 0, 1)));
    }

    @Test
    void readOfUnknownTopicIsEmpty() {
        assertEquals(List.of(), store.read(TopicName.of("nothing.here"), 0, 10));
    }

    @Test
    void topicsAreSeparate() {
        TopicName other = TopicName.of("other");
        append(0, 3);
        store.append(other, messages(other, 0, 2));
        assertEquals(messages(T, 0, 3), store.read(T, 0, 10));
        assertEquals(messages(other, 0, 2), store.read(other, 0, 10));
    }

    @Test
    void appendsInSeveralBatchesReadAsOne() {
        append(0, 3);
        append(3, 4);
        append(4, 10);
        assertHolds(0, 10);
    }

    @Test
    void topicMayStartAtAnyOffset() {
        append(1000, 1005);
        assertEquals(range(1000, 1005), offsets(store.read(T, 0, 10)));
        assertEquals(range(1003, 1005), offsets(store.read(T, 1003, 10)));
    }

    @Test
    void refusesAnAppendThatDoesNotFollowTheLastOffset() {
        append(0, 3);
        assertThrows(IllegalStateException.class, () -> store.append(T, messages(T, 4, 5)));
        assertThrows(IllegalStateException.class, () -> store.append(T, messages(T, 2, 3)));
        assertHolds(0, 3);
    }

    @Test
    void truncateDropsMessagesBelowTheNewFirstOffset() {
        append(0, 10);
        store.truncate(T, 4);
        assertHolds(4, 10);
        assertEquals(range(4, 6), offsets(store.read(T, 0, 2)));
        store.truncate(T, 2);
        assertHolds(4, 10);
        store.truncate(T, 10);
        assertEquals(List.of(), store.read(T, 0, 100));
        append(10, 12);
        assertHolds(10, 12);
    }

    @Test
    void truncateOfUnknownTopicDoesNothing() {
        store.truncate(TopicName.of("nothing.here"), 5);
        assertEquals(List.of(), store.read(TopicName.of("nothing.here"), 0, 10));
    }

    /**
     * Keeps a sliding window of {@code window} messages, one append and one truncate at a time, far past
     * the ring's capacities (16, 32, 64, 128), so that the ring wraps around many times.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129})
    void slidingWindowWrapsAroundTheRing(int window) {
        long next = 0;
        for (int step = 0; step < 1000; step++) {
            append(next, next + 1);
            next++;
            long first = Math.max(0, next - window);
            store.truncate(T, first);
            assertEquals(range(first, next), offsets(store.read(T, first, window)), "step " + step);
        }
        assertHolds(next - window, next);
    }

    @Test
    void growsPastEachCapacityWithTruncationInBetween() {
        // first appended, then truncated away in the middle, so the live range starts mid-ring when it grows
        append(0, 10);
        store.truncate(T, 7);
        append(10, 23); // 16 held: full
        assertHolds(7, 23);
        append(23, 24); // grows to 32 while wrapped
        assertHolds(7, 24);
        store.truncate(T, 20);
        append(24, 52); // 32 held, wrapped
        assertHolds(20, 52);
        append(52, 53); // grows to 64
        assertHolds(20, 53);
        store.truncate(T, 40);
        append(53, 105); // 65 held: grows to 128
        assertHolds(40, 105);
        store.truncate(T, 103); // 2 held out of 128: shrinks
        assertHolds(103, 105);
        append(105, 300);
        assertHolds(103, 300);
        store.truncate(T, 299);
        assertHolds(299, 300);
        append(300, 310);
        assertHolds(299, 310);
    }

    @Test
    void matchesASimpleModelUnderRandomAppendsTruncatesAndReads() {
        Random random = new Random(42);
        long first = 0;
        long next = 0;
        for (int step = 0; step < 5000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                int count = 1 + random.nextInt(random.nextBoolean() ? 5 : 80);
                append(next, next + count);
                next += count;
            } else if (op < 8) {
                long to = first + (next == first ? 0 : (long) random.nextInt((int) (next - first) + 1));
                store.truncate(T, to);
                first = Math.max(first, to);
            } else {
                long from = first - 5 + random.nextInt((int) (next - first) + 10);
                int limit = 1 + random.nextInt(200);
                long start = Math.max(from, first);
                long end = Math.min(next, start + limit);
                assertEquals(range(start, Math.max(start, end)), offsets(store.read(T, from, limit)),
                        "step " + step + ": read(" + from + ", " + limit + ") of [" + first + ", " + next + ")");
            }
        }
        assertHolds(first, next);
    }

    @Test
    void readReturnsTheStoredMessageItself() {
        Message m = message(T, 0);
        store.append(T, List.of(m));
        assertSame(m, store.read(T, 0, 1).get(0));
    }

    @Test
    void deleteDropsTheTopicAndItMayStartAgain() {
        append(0, 20);
        TopicName other = TopicName.of("other");
        store.append(other, messages(other, 0, 2));
        store.delete(T);
        assertEquals(List.of(), store.read(T, 0, 100));
        assertEquals(2, store.read(other, 0, 100).size());
        append(0, 3);
        assertHolds(0, 3);
        store.delete(TopicName.of("never.existed"));
    }

    @Test
    void closeMayBeRepeatedAndKeepsWhatARestartInATestRecovers() {
        append(0, 5);
        store.close();
        store.close();
        assertEquals(List.of(new dev.broker.spi.StoredTopic(T, 0, 5)), store.recover().topics());
    }

    @Test
    void concurrentAppendsToDifferentTopicsKeepEachTopicWhole() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            TopicName topic = TopicName.of("topic-" + t);
            threads.add(new Thread(() -> {
                for (long o = 0; o < 5000; o++) {
                    store.append(topic, List.of(message(topic, o)));
                    if (o % 100 == 99) {
                        store.truncate(topic, o - 50);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        for (int t = 0; t < 4; t++) {
            assertEquals(range(4949, 5000), offsets(store.read(TopicName.of("topic-" + t), 0, 1000)));
        }
    }
}
