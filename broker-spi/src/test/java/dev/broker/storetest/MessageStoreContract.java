package dev.broker.storetest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoreState;
import dev.broker.spi.StoredGroup;
import dev.broker.spi.StoredTopic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MessageStoreContract is the contract of {@link MessageStore}, as tests every store runs. A store
 * module depends on {@code broker-spi} with {@code <type>test-jar</type>} and extends this class:
 *
 * <pre>{@code
 * class MyStoreContractTest extends MessageStoreContract {
 *     @TempDir Path dir;
 *     protected MessageStore open() { return MyStore.open(dir); }
 *     protected MessageStore reopen(MessageStore closed) { return MyStore.open(dir); }
 * }
 * }</pre>
 *
 * <p>Every test opens its stores with {@link #open()} and calls {@link MessageStore#recover()} on
 * each once, first, as the broker does. Tests that check what survives a restart close the store
 * and {@link #reopen} it; they are skipped when {@code reopen} returns null (a store that keeps
 * nothing across a restart). Every store a test opened is closed after it.
 *
 * <p>{@link MessageStore#truncate} and {@link MessageStore#delete} may take effect on reads later
 * (a store may apply them on its writer thread), since the core never reads below a topic's first
 * offset nor a deleted topic: the suite checks that messages at and above the first offset read
 * exactly at once, and that what was dropped is gone after a restart.
 */
public abstract class MessageStoreContract {
    /** T is the topic most tests write. */
    protected static final TopicName T = TopicName.of("orders");
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00.123Z");
    private static final GroupSettings SETTINGS = new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 5);

    private final List<MessageStore> opened = new ArrayList<>();

    /** open returns a new, empty store; each call a separate one. */
    protected abstract MessageStore open() throws Exception;

    /**
     * reopen returns a store on the same data as {@code closed}, which the test has closed, as the
     * broker would after a restart; or null if the store keeps nothing across a restart, which skips
     * the tests of recovery.
     */
    protected abstract MessageStore reopen(MessageStore closed) throws Exception;

    @AfterEach
    final void closeStores() {
        for (MessageStore s : opened) {
            s.close();
        }
    }

    // ---- helpers ----

    /** fresh opens a store and recovers it, as the broker does before anything else. */
    protected final MessageStore fresh() throws Exception {
        MessageStore store = open();
        assertNotNull(store, "open() returned null");
        opened.add(store);
        assertEquals(StoreState.EMPTY, normalized(store.recover()), "a new store holds nothing");
        return store;
    }

    /** restart closes the store and reopens it, or skips the test if the store keeps nothing. */
    protected final StoreAndState restart(MessageStore store) throws Exception {
        store.close();
        MessageStore again = reopen(store);
        assumeTrue(again != null, "the store keeps nothing across a restart");
        if (again != store) {
            opened.add(again);
        }
        return new StoreAndState(again, normalized(again.recover()));
    }

    /** StoreAndState is a reopened store and what it recovered. */
    protected record StoreAndState(MessageStore store, StoreState state) {
        /** topic is what was recovered of one topic. */
        public StoredTopic topic(TopicName name) {
            return state.topics().stream().filter(t -> t.name().equals(name)).findFirst()
                    .orElseGet(() -> fail("no topic " + name + " was recovered: " + state.topics()));
        }
    }

    /** normalized sorts what was recovered, since a store may list it in any order. */
    private static StoreState normalized(StoreState state) {
        assertNotNull(state, "recover() returned null");
        List<StoredTopic> topics = new ArrayList<>(state.topics());
        topics.sort(Comparator.comparing(StoredTopic::name));
        List<StoredGroup> groups = new ArrayList<>(state.groups());
        groups.sort(Comparator.comparing((StoredGroup g) -> g.topic()).thenComparing(g -> g.group().value()));
        return new StoreState(topics, groups);
    }

    protected static Message message(TopicName topic, long offset) {
        return new Message(new UUID(0x0190_0000_0000_7000L | offset, 0x8000_0000_0000_0000L | offset), topic, offset,
                T0.plusMillis(offset), Map.of("n", Long.toString(offset)), "{\"n\":" + offset + "}");
    }

    protected static List<Message> messages(TopicName topic, long from, long to) {
        return LongStream.range(from, to).mapToObj(o -> message(topic, o)).toList();
    }

    protected static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the stage failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the stage did not complete: " + e, e);
        }
    }

    /** append appends offsets [from, to) in batches of up to {@code batch} and waits for all of them. */
    protected static void append(MessageStore store, TopicName topic, long from, long to, int batch) {
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (long o = from; o < to; o += batch) {
            stages.add(store.append(topic, messages(topic, o, Math.min(to, o + batch))));
        }
        stages.forEach(MessageStoreContract::await);
    }

    private static List<Long> offsets(List<Message> messages) {
        return messages.stream().map(Message::offset).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private static StoredGroup group(TopicName topic, String name, long floor, long[] above, long dlqPosition) {
        return new StoredGroup(topic, GroupName.of(name), SETTINGS, floor, above, dlqPosition);
    }

    // ---- append and read ----

    @Test
    void newStoreHoldsNothingAndCanWrite() throws Exception {
        MessageStore store = fresh();
        assertEquals(List.of(), store.read(T, 0, 10));
        assertTrue(store.problem().isEmpty(), "problem: " + store.problem());
    }

    @Test
    void appendCompletesAndReadReturnsTheMessages() throws Exception {
        MessageStore store = fresh();
        List<Message> batch = messages(T, 0, 3);
        await(store.append(T, batch));
        assertEquals(batch, store.read(T, 0, 10));
    }

    @Test
    void readReturnsRangesInOffsetOrder() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 10, 3);
        assertEquals(range(0, 10), offsets(store.read(T, 0, 10)));
        assertEquals(range(0, 10), offsets(store.read(T, 0, 1000)));
        assertEquals(range(3, 7), offsets(store.read(T, 3, 4)));
        assertEquals(range(9, 10), offsets(store.read(T, 9, 5)));
        assertEquals(range(0, 1), offsets(store.read(T, 0, 1)));
        assertEquals(messages(T, 4, 6), store.read(T, 4, 2));
    }

    @Test
    void readPastTheEndIsEmpty() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 5, 5);
        assertEquals(List.of(), store.read(T, 5, 10));
        assertEquals(List.of(), store.read(T, 1_000_000, 10));
    }

    @Test
    void readOfAnUnknownTopicIsEmpty() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 3, 3);
        assertEquals(List.of(), store.read(TopicName.of("unknown"), 0, 10));
    }

    @Test
    void topicsAreSeparate() throws Exception {
        MessageStore store = fresh();
        TopicName other = TopicName.of("orders.eu");
        append(store, T, 0, 5, 2);
        append(store, other, 0, 2, 2);
        append(store, T, 5, 6, 1);
        assertEquals(messages(T, 0, 6), store.read(T, 0, 100));
        assertEquals(messages(other, 0, 2), store.read(other, 0, 100));
    }

    @Test
    void manySmallAppendsReadAsOne() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 2500, 1);
        List<Message> all = new ArrayList<>();
        for (long from = 0; from < 2500; ) {
            List<Message> chunk = store.read(T, from, 256);
            assertTrue(!chunk.isEmpty(), "nothing at " + from);
            all.addAll(chunk);
            from = chunk.get(chunk.size() - 1).offset() + 1;
        }
        assertEquals(range(0, 2500), offsets(all));
    }

    @Test
    void messagesKeepEveryFieldExactly() throws Exception {
        MessageStore store = fresh();
        List<Message> originals = tricky();
        await(store.append(T, originals));
        assertSame(originals, store.read(T, 0, originals.size()));
    }

    @Test
    void dataBytesCountsTheUtf8OfTheDataInARange() throws Exception {
        MessageStore store = fresh();
        List<Message> originals = tricky();
        await(store.append(T, originals));
        long expected = 0;
        for (Message m : originals.subList(1, 9)) {
            expected += m.data().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        assertEquals(expected, store.dataBytes(T, 1, 9));
        long all = 0;
        for (Message m : originals) {
            all += m.data().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        assertEquals(all, store.dataBytes(T, 0, originals.size() + 5), "past the end counts nothing more");
        assertEquals(0, store.dataBytes(T, 3, 3));
    }

    /** tricky is messages whose fields a store could easily mangle. */
    protected static List<Message> tricky() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("trace", "abc");
        headers.put("empty", "");
        headers.put("ünïcödé-ключ", "值 🎉 \u0000 \t\n\"\\");
        headers.put("x-long", "v".repeat(10_000));
        String large = "\"" + "0123456789abcdef€🎉".repeat(60_000) + "\""; // about 1.3 MB of UTF-8
        List<String> data = List.of("{}", "null", "0", "-1.5e300", "\"\"", "\"€ 漢字 🎉 \\u0000 \\\" \\\\ \\n\"",
                "[1,\"two\",{\"three\":[3]},null,true,false]", "{ \"spaced\" :\t[ 1 , 2 ]\n}", "\"\uD83D\uDE00\"", large);
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            out.add(new Message(UUID.randomUUID(), T, i, T0.plusMillis(i * 1001L), i == 0 ? headers : (i % 2 == 0 ? Map.of()
                    : Map.of("i", Integer.toString(i))), data.get(i)));
        }
        // Timestamps far apart and at the millisecond.
        out.set(1, new Message(out.get(1).id(), T, 1, Instant.parse("1970-01-01T00:00:00.001Z"), out.get(1).headers(),
                out.get(1).data()));
        out.set(2, new Message(out.get(2).id(), T, 2, Instant.parse("2999-12-31T23:59:59.999Z"), out.get(2).headers(),
                out.get(2).data()));
        return out;
    }

    /** assertSame compares messages field by field, saying which field differs without printing large data. */
    protected static void assertSame(List<Message> expected, List<Message> actual) {
        assertEquals(expected.size(), actual.size(), "how many messages");
        for (int i = 0; i < expected.size(); i++) {
            Message e = expected.get(i);
            Message a = actual.get(i);
            String at = "message " + i + ": ";
            assertEquals(e.id(), a.id(), at + "id");
            assertEquals(e.topic(), a.topic(), at + "topic");
            assertEquals(e.offset(), a.offset(), at + "offset");
            assertEquals(e.timestamp(), a.timestamp(), at + "timestamp");
            assertEquals(e.headers(), a.headers(), at + "headers");
            assertEquals(e.data().length(), a.data().length(), at + "data length");
            assertTrue(e.data().equals(a.data()), at + "data differs");
        }
    }

    // ---- truncate ----
    //
    // The core never reads below a topic's first offset, so a store may apply a truncate or a delete
    // in the background: what must hold at once is that messages at and above the first offset read
    // exactly; what must hold after a restart is that the dropped messages are gone.

    /** assertTail checks that a read from below the first offset returned a whole, ordered tail ending at {@code next}. */
    private static void assertTail(List<Long> read, long first, long next) {
        assertTrue(!read.isEmpty() && read.get(0) <= first && read.equals(range(read.get(0), next)),
                "a read from below the first offset " + first + " returns the messages from at most there to " + next
                        + " in order: " + read);
    }

    @Test
    void truncateKeepsTheMessagesFromTheNewFirstOffsetOn() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 10, 4);
        store.truncate(T, 4);
        assertEquals(messages(T, 4, 10), store.read(T, 4, 100));
        assertEquals(range(6, 8), offsets(store.read(T, 6, 2)));
        assertTail(offsets(store.read(T, 0, 100)), 4, 10);

        store.truncate(T, 2);
        store.truncate(T, 4);
        assertEquals(messages(T, 4, 10), store.read(T, 4, 100), "truncating below or at the first offset drops nothing");
        append(store, T, 10, 12, 2);
        assertEquals(range(4, 12), offsets(store.read(T, 4, 100)), "appends continue after a truncate");

        StoreAndState after = restart(store);
        assertEquals(new StoredTopic(T, 4, 12), after.topic(T));
        assertEquals(messages(T, 4, 12), after.store().read(T, 0, 100), "after a restart the dropped messages are gone");
    }

    @Test
    void truncateToTheEndEmptiesTheTopicButKeepsItsNextOffset() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 5, 5);
        store.truncate(T, 5);
        assertEquals(List.of(), store.read(T, 5, 100));

        StoreAndState after = restart(store);
        assertEquals(new StoredTopic(T, 5, 5), after.topic(T), "offsets are never reused, even for an empty topic");
        assertEquals(List.of(), after.store().read(T, 0, 100));
        append(after.store(), T, 5, 7, 2);
        assertEquals(messages(T, 5, 7), after.store().read(T, 5, 100));
    }

    @Test
    void appendAfterTruncateToTheEndMayContinueAtALaterOffset() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 5, 5);
        store.truncate(T, 5);
        append(store, T, 9, 12, 3);
        assertEquals(messages(T, 9, 12), store.read(T, 9, 100));
        assertEquals(messages(T, 10, 12), store.read(T, 10, 100));

        StoreAndState after = restart(store);
        assertEquals(new StoredTopic(T, 9, 12), after.topic(T));
        assertEquals(messages(T, 9, 12), after.store().read(T, 0, 100));
    }

    @Test
    void truncateOfAnUnknownTopicDoesNothing() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 2, 2);
        assertDoesNotThrow(() -> store.truncate(TopicName.of("unknown"), 10));
        assertEquals(List.of(), store.read(TopicName.of("unknown"), 0, 10));
        assertEquals(range(0, 2), offsets(store.read(T, 0, 10)));
    }

    @Test
    void slidingWindowOfAppendsAndTruncates() throws Exception {
        MessageStore store = fresh();
        long first = 0;
        long next = 0;
        for (; next < 3000; next += 7) {
            await(store.append(T, messages(T, next, next + 7)));
            first = Math.max(0, next + 7 - 40);
            store.truncate(T, first);
            if (next % 301 == 0) {
                assertEquals(range(first, next + 7), offsets(store.read(T, first, 100)), "window ending at " + (next + 7));
            }
        }
        StoreAndState after = restart(store);
        assertEquals(new StoredTopic(T, first, next), after.topic(T));
        assertEquals(messages(T, first, next), after.store().read(T, 0, 100));
    }

    // ---- delete ----

    @Test
    void deletedTopicMayStartAgainAtOffsetZero() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 5, 5);
        store.delete(T);
        List<Message> again = List.of(new Message(UUID.randomUUID(), T, 0, T0, Map.of(), "\"again\""));
        await(store.append(T, again));
        assertEquals(again, store.read(T, 0, 100), "only the new message, under its offset");

        StoreAndState after = restart(store);
        assertEquals(new StoredTopic(T, 0, 1), after.topic(T));
        assertEquals(again, after.store().read(T, 0, 100));
    }

    @Test
    void deleteOfAnUnknownTopicDoesNothing() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 1, 1);
        assertDoesNotThrow(() -> store.delete(TopicName.of("unknown")));
        assertEquals(range(0, 1), offsets(store.read(T, 0, 100)));
    }

    @Test
    void deleteRemovesTheTopicsMessagesAndGroupsAndNothingElse() throws Exception {
        MessageStore store = fresh();
        TopicName kept = TopicName.of("kept");
        append(store, T, 0, 5, 5);
        append(store, kept, 0, 2, 2);
        await(store.saveGroup(group(T, "workers", 2, new long[0], 0)));
        await(store.saveGroup(group(kept, "workers", 1, new long[0], 0)));
        store.delete(T);
        assertEquals(messages(kept, 0, 2), store.read(kept, 0, 100), "other topics are untouched");

        StoreAndState after = restart(store);
        assertEquals(List.of(new StoredTopic(kept, 0, 2)), after.state().topics());
        assertEquals(List.of(group(kept, "workers", 1, new long[0], 0)), after.state().groups());
        assertEquals(List.of(), after.store().read(T, 0, 100));
        assertEquals(messages(kept, 0, 2), after.store().read(kept, 0, 100));
    }

    // ---- groups ----

    @Test
    void saveGroupCompletes() throws Exception {
        MessageStore store = fresh();
        await(store.saveGroup(group(T, "workers", 0, new long[0], 0)));
        await(store.saveGroup(group(T, "workers", 3, new long[] {5, 7}, 2)));
    }

    @Test
    void saveGroupReplacesTheGroupsRecord() throws Exception {
        MessageStore store = fresh();
        TopicName other = TopicName.of("payments");
        append(store, T, 0, 10, 10);
        await(store.saveGroup(group(T, "workers", 0, new long[0], 0)));
        await(store.saveGroup(group(T, "auditors", 4, new long[0], 0)));
        await(store.saveGroup(group(other, "workers", 1, new long[0], 0)));
        StoredGroup latest = group(T, "workers", 3, new long[] {5, 7}, 2);
        await(store.saveGroup(group(T, "workers", 2, new long[] {4}, 1)));
        await(store.saveGroup(latest));

        StoreAndState after = restart(store);
        assertEquals(List.of(group(T, "auditors", 4, new long[0], 0), latest, group(other, "workers", 1, new long[0], 0)),
                after.state().groups(), "one record per topic and group, the last saved");
    }

    @Test
    void groupSettingsAndProgressSurviveExactly() throws Exception {
        MessageStore store = fresh();
        List<StoredGroup> groups = List.of(
                new StoredGroup(T, GroupName.of("a"), new GroupSettings(StartFrom.LATEST, Duration.ofMillis(1), 1), 0,
                        new long[0], 0, false), // a group of a wildcard subscription
                new StoredGroup(T, GroupName.of("b"), new GroupSettings(new StartFrom.AtOffset(123_456_789_012L),
                        Duration.ofHours(12), 1000), Long.MAX_VALUE / 2, new long[] {Long.MAX_VALUE / 2 + 2, Long.MAX_VALUE / 2 + 9},
                        Long.MAX_VALUE / 4),
                new StoredGroup(T, GroupName.of("c".repeat(64)), new GroupSettings(StartFrom.EARLIEST,
                        Duration.ofMillis(1500), 7), 10, LongStream.range(0, 5000).map(i -> 11 + 2 * i).toArray(), 3));
        for (StoredGroup g : groups) {
            await(store.saveGroup(g));
        }
        StoreAndState after = restart(store);
        assertEquals(groups, after.state().groups());
    }

    @Test
    void groupOfATopicWithoutMessagesSurvives() throws Exception {
        MessageStore store = fresh();
        StoredGroup g = group(T, "workers", 0, new long[0], 0);
        await(store.saveGroup(g));
        StoreAndState after = restart(store);
        assertEquals(List.of(g), after.state().groups());
    }

    // ---- recovery ----

    @Test
    void recoverAfterReopenReturnsTopicsWithTheirOffsetsAndMessages() throws Exception {
        MessageStore store = fresh();
        TopicName other = TopicName.of("orders.eu");
        append(store, T, 0, 10, 3);
        store.truncate(T, 3);
        append(store, other, 0, 1, 1);

        StoreAndState after = restart(store);
        assertEquals(List.of(new StoredTopic(T, 3, 10), new StoredTopic(other, 0, 1)), after.state().topics());
        assertEquals(messages(T, 3, 10), after.store().read(T, 0, 100));
        assertEquals(messages(other, 0, 1), after.store().read(other, 0, 100));
        assertTrue(after.store().problem().isEmpty());
    }

    @Test
    void recoveredStoreTakesFurtherAppendsAndTruncates() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 5, 5);
        StoreAndState after = restart(store);
        append(after.store(), T, 5, 8, 2);
        after.store().truncate(T, 2);
        assertEquals(messages(T, 2, 8), after.store().read(T, 2, 100));

        StoreAndState again = restart(after.store());
        assertEquals(new StoredTopic(T, 2, 8), again.topic(T));
        assertEquals(messages(T, 2, 8), again.store().read(T, 0, 100));
    }

    @Test
    void messagesKeepEveryFieldExactlyAcrossARestart() throws Exception {
        MessageStore store = fresh();
        List<Message> originals = tricky();
        await(store.append(T, originals));
        StoreAndState after = restart(store);
        assertSame(originals, after.store().read(T, 0, originals.size()));
    }

    @Test
    void closeMayBeRepeated() throws Exception {
        MessageStore store = fresh();
        append(store, T, 0, 2, 2);
        store.close();
        assertDoesNotThrow(store::close);
    }

    // ---- ordering and concurrency ----

    @Test
    void appendStagesCompleteInCallOrder() throws Exception {
        MessageStore store = fresh();
        List<Long> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (long o = 0; o < 500; o++) {
            long offset = o;
            stages.add(store.append(T, messages(T, o, o + 1)).whenComplete((v, e) -> completed.add(offset)));
        }
        stages.forEach(MessageStoreContract::await);
        assertEquals(range(0, 500), completed);
    }

    @Test
    void saveGroupStagesCompleteInCallOrder() throws Exception {
        MessageStore store = fresh();
        List<Long> completed = Collections.synchronizedList(new ArrayList<>());
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (long floor = 0; floor < 500; floor++) {
            long f = floor;
            stages.add(store.saveGroup(group(T, "workers", floor, new long[0], 0)).whenComplete((v, e) -> completed.add(f)));
        }
        stages.forEach(MessageStoreContract::await);
        assertEquals(range(0, 500), completed);
        StoreAndState after = restart(store);
        assertEquals(List.of(group(T, "workers", 499, new long[0], 0)), after.state().groups(), "the last save wins");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // guards against a hang only; not a speed target
    void manyTopicsConcurrently() throws Exception {
        MessageStore store = fresh();
        int topics = 16;
        int perTopic = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < topics; t++) {
                TopicName topic = TopicName.of("load." + t);
                writers.add(pool.submit(() -> {
                    start.await();
                    List<CompletionStage<Void>> stages = new ArrayList<>();
                    for (long o = 0; o < perTopic; o += 10) {
                        stages.add(store.append(topic, messages(topic, o, o + 10)));
                        if (o % 500 == 0) {
                            stages.add(store.saveGroup(group(topic, "workers", o, new long[0], 0)));
                            store.read(topic, Math.max(0, o - 100), 50);
                        }
                        if (o % 1000 == 0 && o > 0) {
                            // As the broker does: truncate only what is stored.
                            stages.forEach(MessageStoreContract::await);
                            store.truncate(topic, o - 1000);
                        }
                    }
                    stages.forEach(MessageStoreContract::await);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> w : writers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < topics; t++) {
            TopicName topic = TopicName.of("load." + t);
            List<Message> tail = store.read(topic, perTopic - 1000, 2000);
            assertEquals(range(perTopic - 1000, perTopic), offsets(tail), topic.value());
            assertEquals(messages(topic, perTopic - 1000, perTopic), tail, topic.value());
            assertEquals(range(1000, 1001), offsets(store.read(topic, 0, 1)), topic + " truncated to 1000");
        }
        StoreAndState after = restart(store);
        Set<TopicName> recovered = after.state().topics().stream().map(StoredTopic::name).collect(Collectors.toSet());
        for (int t = 0; t < topics; t++) {
            TopicName topic = TopicName.of("load." + t);
            assertTrue(recovered.contains(topic), topic.value());
            assertEquals(new StoredTopic(topic, 1000, perTopic), after.topic(topic));
        }
        assertEquals(topics, after.state().groups().size());
        for (StoredGroup g : after.state().groups()) {
            assertEquals(2500, g.floor(), g.toString());
        }
    }
}
