package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.HealthReport;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.Subscription;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.TopicPattern;
import dev.broker.core.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00.123456789Z");
    private static final GroupName G = GroupName.of("workers");

    /** MutableClock is a clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MutableClock clock = new MutableClock(T0);

    /** Makes a router on the memory store; settings are given as environment variables. */
    private Router router(String... settings) {
        Map<String, String> env = new HashMap<>();
        env.put("PERSISTENCE_ENABLED", "false");
        env.put("RETENTION_HOURS", "1");
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return new Router(Settings.fromEnvironment(env), new MemoryStore(), clock,
                new Plugins(new MemoryStoreProvider(), List.of(), List.of()));
    }

    private static TopicName topic(String name) {
        return TopicName.of(name);
    }

    private static List<Message> publish(Router router, String topic, String... data) {
        return router.publish(topic(topic), batch(data)).toCompletableFuture().join();
    }

    private static List<NewMessage> batch(String... data) {
        return java.util.Arrays.stream(data).map(NewMessage::of).toList();
    }

    /** Returns the refusal, whether it was thrown or completed the returned stage. */
    private static BrokerException refusal(Supplier<? extends CompletionStage<?>> call) {
        CompletionStage<?> stage;
        try {
            stage = call.get();
        } catch (BrokerException e) {
            return e;
        }
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return assertInstanceOf(BrokerException.class, e.getCause());
        }
        return fail("not refused");
    }

    private static BrokerException publishRefused(Router router, String topic, String... data) {
        return refusal(() -> router.publish(topic(topic), batch(data)));
    }

    private static List<Long> offsets(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.message().offset()).toList();
    }

    private static List<String> data(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.message().data()).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    private static Optional<TopicInfo> info(Router router, String name) {
        return router.topics().stream().filter(t -> t.name().equals(topic(name))).findFirst();
    }

    // ---- publish ----

    @Test
    void publishAssignsConsecutiveOffsetsFromZeroIdsAndTimestamps() {
        Router router = router();
        List<Message> first = publish(router, "orders", "1");
        List<Message> batch = publish(router, "orders", "\"two\"", "{\"n\":3}", "[4]");
        clock.advance(Duration.ofMillis(5));
        List<Message> last = publish(router, "orders", "5");

        List<Message> all = new ArrayList<>(first);
        all.addAll(batch);
        all.addAll(last);
        assertEquals(range(0, 5), all.stream().map(Message::offset).toList());
        assertEquals(List.of("1", "\"two\"", "{\"n\":3}", "[4]", "5"), all.stream().map(Message::data).toList());
        for (Message m : all) {
            assertEquals(topic("orders"), m.topic());
            assertEquals(7, m.id().version());
        }
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).id().compareTo(all.get(i).id()) < 0, "ids sort in offset order");
        }
        // Millisecond precision, from the broker's clock.
        Instant stored = Instant.parse("2024-05-01T12:00:00.123Z");
        assertEquals(stored, first.get(0).timestamp());
        assertEquals(stored, batch.get(2).timestamp());
        assertEquals(stored.plusMillis(5), last.get(0).timestamp());
        assertEquals(List.of(new TopicInfo(topic("orders"), 5, 0, 4)), router.topics());
    }

    @Test
    void idsKeepIncreasingWhenTheClockGoesBack() {
        Router router = router();
        Message before = publish(router, "orders", "0").get(0);
        clock.advance(Duration.ofSeconds(-5));
        Message after = publish(router, "orders", "1").get(0);
        assertEquals(before.timestamp().minusSeconds(5), after.timestamp());
        assertTrue(before.id().compareTo(after.id()) < 0, before.id() + " then " + after.id());
    }

    @Test
    void publishKeepsHeaders() {
        Router router = router();
        Message m = router.publish(topic("orders"), List.of(new NewMessage("{}", Map.of("trace", "abc"))))
                .toCompletableFuture().join().get(0);
        assertEquals(Map.of("trace", "abc"), m.headers());
        assertEquals(Map.of("trace", "abc"), router.consume(topic("orders"), G, 1).get(0).message().headers());
    }

    @Test
    void eachTopicHasItsOwnOffsets() {
        Router router = router();
        publish(router, "a", "1", "2", "3");
        assertEquals(0, publish(router, "b", "1").get(0).offset());
        assertEquals(3, publish(router, "a", "4").get(0).offset());
        assertEquals(List.of(new TopicInfo(topic("a"), 4, 0, 3), new TopicInfo(topic("b"), 1, 0, 0)),
                router.topics());
    }

    @Test
    void topicsAreListedByName() {
        Router router = router();
        for (String name : List.of("zeta", "alpha.b", "alpha", "mid")) {
            publish(router, name, "1");
        }
        assertEquals(List.of("alpha", "alpha.b", "mid", "zeta"),
                router.topics().stream().map(t -> t.name().value()).toList());
    }

    @Test
    void batchWithOneOversizedItemStoresNothing() {
        Router router = router("MAX_MESSAGE_SIZE", "10");
        BrokerException e = publishRefused(router, "orders", "1", "\"far too long for ten\"", "3");
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("item 1"), e.getMessage());
        assertEquals(List.of(), router.topics());
        assertEquals(List.of(), router.consume(topic("orders"), G, 10));
    }

    @Test
    void batchRefusedOnAnExistingTopicLeavesItAsItWas() {
        Router router = router("MAX_MESSAGE_SIZE", "10");
        publish(router, "orders", "0");
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE,
                publishRefused(router, "orders", "1", "2", "\"far too long for ten\"").code());
        assertEquals(List.of(new TopicInfo(topic("orders"), 1, 0, 0)), router.topics());
        assertEquals(1, publish(router, "orders", "1").get(0).offset(), "the refused batch took no offsets");
        assertEquals(List.of("0", "1"), data(router.consume(topic("orders"), G, 10)));
    }

    @Test
    void messageSizeCountsUtf8Bytes() {
        Router router = router("MAX_MESSAGE_SIZE", "10");
        publish(router, "orders", "€€€x"); // 3 * 3 + 1 = 10 bytes
        BrokerException e = publishRefused(router, "orders", "\"€€€\""); // 5 characters, 11 bytes
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("11 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("item"), "a single message has no item number: " + e.getMessage());
    }

    @Test
    void deadLetterTopicIsReserved() {
        Router router = router();
        assertEquals(ErrorCode.RESERVED_TOPIC, publishRefused(router, "dlq.orders", "1").code());
        assertEquals(List.of(), router.topics());
    }

    @Test
    void batchOverMaxBatchSizeIsRefused() {
        Router router = router("MAX_BATCH_SIZE", "3");
        BrokerException e = publishRefused(router, "orders", "1", "2", "3", "4");
        assertEquals(ErrorCode.BATCH_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("MAX_BATCH_SIZE"), e.getMessage());
        assertEquals(List.of(), router.topics());
        assertEquals(3, publish(router, "orders", "1", "2", "3").size());
    }

    @Test
    void emptyBatchIsRefused() {
        Router router = router();
        publishRefused(router, "orders");
        assertEquals(List.of(), router.topics());
    }

    // ---- MAX_QUEUE_SIZE ----

    /** Creates the topic (an exact subscription does) and a group on it that has consumed nothing. */
    private static void groupWithNothingConsumed(Router router, String topic, GroupName group) {
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of(topic)), d -> { }).close();
        assertEquals(List.of(), router.consume(topic(topic), group, 10));
    }

    @Test
    void rejectPolicyRefusesWhileAGroupHasNotFinishedTheOldest() {
        Router router = router("MAX_QUEUE_SIZE", "3");
        groupWithNothingConsumed(router, "orders", G);
        publish(router, "orders", "0", "1", "2");

        BrokerException e = publishRefused(router, "orders", "3");
        assertEquals(ErrorCode.TOPIC_FULL, e.code());
        assertTrue(e.retryAfter().isPresent(), "a full topic says when to retry");
        assertTrue(e.retryAfter().get().compareTo(Duration.ZERO) > 0);
        assertEquals(List.of(new TopicInfo(topic("orders"), 3, 0, 2)), router.topics());

        assertEquals(List.of("0"), data(router.consume(topic("orders"), G, 1)));
        assertEquals(List.of("3"), publish(router, "orders", "3").stream().map(Message::data).toList());
        assertEquals(ErrorCode.TOPIC_FULL, publishRefused(router, "orders", "4").code());

        assertEquals(List.of("1", "2", "3"), data(router.consume(topic("orders"), G, 10)));
        publish(router, "orders", "4", "5", "6");
        assertEquals(List.of(new TopicInfo(topic("orders"), 3, 4, 6)), router.topics());
        assertEquals(List.of("4", "5", "6"), data(router.consume(topic("orders"), G, 10)));
    }

    @Test
    void rejectPolicyWaitsForEveryGroup() {
        Router router = router("MAX_QUEUE_SIZE", "2");
        GroupName fast = GroupName.of("fast");
        GroupName slow = GroupName.of("slow");
        groupWithNothingConsumed(router, "orders", fast);
        groupWithNothingConsumed(router, "orders", slow);
        publish(router, "orders", "0", "1");
        assertEquals(2, router.consume(topic("orders"), fast, 10).size());
        assertEquals(ErrorCode.TOPIC_FULL, publishRefused(router, "orders", "2").code());
        assertEquals(List.of("0"), data(router.consume(topic("orders"), slow, 1)));
        publish(router, "orders", "2");
        assertEquals(List.of("1", "2"), data(router.consume(topic("orders"), slow, 10)));
    }

    @Test
    void rejectPolicyRefusesABatchThatWouldEvictUnfinishedMessages() {
        Router router = router("MAX_QUEUE_SIZE", "4");
        groupWithNothingConsumed(router, "orders", G);
        publish(router, "orders", "0", "1", "2");
        assertEquals(List.of("0"), data(router.consume(topic("orders"), G, 1)));
        // Room for two more by evicting the finished "0", not for three.
        assertEquals(ErrorCode.TOPIC_FULL, publishRefused(router, "orders", "3", "4", "5").code());
        assertEquals(List.of(new TopicInfo(topic("orders"), 3, 0, 2)), router.topics());
        publish(router, "orders", "3", "4");
        assertEquals(List.of("1", "2", "3", "4"), data(router.consume(topic("orders"), G, 10)));
    }

    @Test
    void topicWithoutGroupsEvictsItsOldestFreely() {
        Router router = router("MAX_QUEUE_SIZE", "3");
        List<String> broadcast = Collections.synchronizedList(new ArrayList<>());
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("ticks")), d -> broadcast.add(d.message().data()));
        for (int i = 0; i < 10; i++) {
            publish(router, "ticks", Integer.toString(i));
        }
        assertEquals(10, broadcast.size());
        assertEquals(List.of(new TopicInfo(topic("ticks"), 3, 7, 9)), router.topics());
        assertEquals(List.of("7", "8", "9"), data(router.consume(topic("ticks"), G, 10)));
    }

    @Test
    void batchLargerThanTheTopicIsRefusedEvenWithoutGroups() {
        Router router = router("MAX_QUEUE_SIZE", "3");
        assertEquals(ErrorCode.TOPIC_FULL, publishRefused(router, "orders", "1", "2", "3", "4").code());
        assertEquals(3, publish(router, "orders", "1", "2", "3").size());
    }

    @Test
    void dropOldestPolicyEvictsEvenUnfinishedMessages() {
        Router router = router("MAX_QUEUE_SIZE", "3", "OVERFLOW_POLICY", "drop-oldest");
        groupWithNothingConsumed(router, "orders", G);
        for (int i = 0; i < 5; i++) {
            publish(router, "orders", Integer.toString(i));
        }
        assertEquals(List.of(new TopicInfo(topic("orders"), 3, 2, 4)), router.topics());
        assertEquals(range(2, 5), offsets(router.consume(topic("orders"), G, 10)));
    }

    // ---- consume ----

    @Test
    void consumeHandsEachMessageOnceToAGroup() {
        Router router = router();
        publish(router, "orders", "0", "1", "2", "3", "4");
        List<Delivery> first = router.consume(topic("orders"), G, 2);
        assertEquals(range(0, 2), offsets(first));
        assertTrue(first.stream().allMatch(d -> d.retryCount() == 0));
        assertEquals(range(2, 5), offsets(router.consume(topic("orders"), G, 10)));
        assertEquals(List.of(), router.consume(topic("orders"), G, 10));
        publish(router, "orders", "5");
        assertEquals(range(5, 6), offsets(router.consume(topic("orders"), G, 10)));
        assertEquals(List.of(), router.consume(topic("orders"), G, 10));
    }

    @Test
    void consumeReturnsTheStoredMessages() {
        Router router = router();
        List<Message> stored = publish(router, "orders", "{\"a\": 1}", "[1, 2]");
        assertEquals(stored, router.consume(topic("orders"), G, 10).stream().map(Delivery::message).toList());
    }

    @Test
    void everyGroupSeesEveryMessage() {
        Router router = router();
        publish(router, "orders", "0", "1", "2");
        GroupName other = GroupName.of("audit");
        assertEquals(range(0, 2), offsets(router.consume(topic("orders"), G, 2)));
        assertEquals(range(0, 3), offsets(router.consume(topic("orders"), other, 10)));
        assertEquals(range(2, 3), offsets(router.consume(topic("orders"), G, 10)));
        assertEquals(range(0, 3), offsets(router.consume(topic("orders"), GroupName.DEFAULT, 10)));
    }

    @Test
    void newGroupStartsAtTheOldestRetainedMessage() {
        Router router = router("MAX_QUEUE_SIZE", "3");
        for (int i = 0; i < 5; i++) {
            publish(router, "orders", Integer.toString(i));
        }
        assertEquals(range(2, 5), offsets(router.consume(topic("orders"), GroupName.of("late"), 10)));
    }

    @Test
    void consumeOfUnknownTopicIsEmptyAndCreatesNothing() {
        Router router = router();
        assertEquals(List.of(), router.consume(topic("nothing.here"), G, 10));
        assertEquals(List.of(), router.topics());
    }

    @Test
    void consumeRefusesALimitBelowOne() {
        Router router = router();
        publish(router, "orders", "0");
        for (int limit : new int[] {0, -1}) {
            BrokerException e = assertThrows(BrokerException.class, () -> router.consume(topic("orders"), G, limit));
            assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        }
        assertEquals(range(0, 1), offsets(router.consume(topic("orders"), G, 1)), "nothing was handed out");
    }

    // ---- broadcast subscriptions ----

    /** Records what a subscription receives. */
    private static final class Recorder {
        final List<Message> received = Collections.synchronizedList(new ArrayList<>());

        void onMessage(Delivery d) {
            assertEquals(0, d.retryCount());
            received.add(d.message());
        }

        List<String> topicsAndData() {
            synchronized (received) {
                return received.stream().map(m -> m.topic() + ":" + m.data()).toList();
            }
        }
    }

    @Test
    void exactSubscriptionReceivesOnlyMessagesStoredAfterIt() {
        Router router = router();
        publish(router, "orders", "before");
        Recorder r = new Recorder();
        Subscription s = router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), r::onMessage);
        assertEquals(TopicPattern.of("orders"), s.pattern());
        List<Message> stored = publish(router, "orders", "a", "b");
        publish(router, "orders.eu", "other topic");
        publish(router, "orders", "c");
        assertEquals(List.of("orders:a", "orders:b", "orders:c"), r.topicsAndData());
        assertEquals(stored, r.received.subList(0, 2), "the stored messages, ids and offsets included");
    }

    @Test
    void exactSubscriptionCreatesItsTopic() {
        Router router = router();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), d -> { });
        assertEquals(List.of(new TopicInfo(topic("orders"), 0, 0, -1)), router.topics());
    }

    @Test
    void starSubscriptionReceivesOneSegmentTopics() {
        Router router = router();
        publish(router, "orders.eu", "before");
        Recorder r = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders.*")), r::onMessage);
        publish(router, "orders.eu", "1");
        publish(router, "orders", "no");
        publish(router, "orders.eu.x", "no");
        publish(router, "other.eu", "no");
        publish(router, "orders.us", "2");
        publish(router, "orders.eu", "3");
        assertEquals(List.of("orders.eu:1", "orders.us:2", "orders.eu:3"), r.topicsAndData());
    }

    @Test
    void greaterThanSubscriptionReceivesAllTopicsBelow() {
        Router router = router();
        publish(router, "orders.eu", "before");
        Recorder r = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders.>")), r::onMessage);
        publish(router, "orders.eu", "1");
        publish(router, "orders", "no");
        publish(router, "orders.eu.x", "2");
        publish(router, "ordersx.eu", "no");
        publish(router, "orders.us.a.b", "3");
        assertEquals(List.of("orders.eu:1", "orders.eu.x:2", "orders.us.a.b:3"), r.topicsAndData());
    }

    @Test
    void subscriptionReceivesInOffsetOrder() {
        Router router = router();
        Recorder r = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders.*")), r::onMessage);
        for (int i = 0; i < 50; i++) {
            publish(router, "orders.eu", Integer.toString(i), Integer.toString(i));
        }
        assertEquals(range(0, 100), r.received.stream().map(Message::offset).toList());
    }

    @Test
    void closingASubscriptionStopsDelivery() {
        Router router = router();
        Recorder exact = new Recorder();
        Recorder wildcard = new Recorder();
        Recorder stays = new Recorder();
        Subscription s1 = router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders.eu")), exact::onMessage);
        Subscription s2 = router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders.*")), wildcard::onMessage);
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders.>")), stays::onMessage);
        publish(router, "orders.eu", "1");
        s1.close();
        s2.close();
        s2.close(); // repeat does nothing
        publish(router, "orders.eu", "2");
        publish(router, "orders.us", "3"); // a topic made after the close
        assertEquals(List.of("orders.eu:1"), exact.topicsAndData());
        assertEquals(List.of("orders.eu:1"), wildcard.topicsAndData());
        assertEquals(List.of("orders.eu:1", "orders.eu:2", "orders.us:3"), stays.topicsAndData());
    }

    @Test
    void wildcardSubscriptionReceivesFromTopicsCreatedLater() {
        Router router = router();
        Recorder r = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("later.*")), r::onMessage);
        assertEquals(List.of(), router.topics());
        publish(router, "later.a", "1");
        publish(router, "later.b", "2");
        publish(router, "later.a", "3");
        assertEquals(List.of("later.a:1", "later.b:2", "later.a:3"), r.topicsAndData());
    }

    @Test
    void wildcardSubscriptionReceivesFromTopicCreatedByAnExactSubscription() {
        Router router = router();
        Recorder r = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of(">")), r::onMessage);
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("made.by.subscribe")), d -> { });
        publish(router, "made.by.subscribe", "1");
        assertEquals(List.of("made.by.subscribe:1"), r.topicsAndData());
    }

    @Test
    void subscriptionMadeWhileABatchIsBeingDispatchedGetsNothingStoredBeforeIt() {
        Router router = router();
        Recorder late = new Recorder();
        List<Subscription> made = new ArrayList<>();
        // The first listener subscribes another while it is handed the first message of a batch.
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), d -> {
            if (made.isEmpty()) {
                made.add(router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), late::onMessage));
            }
        });
        publish(router, "orders", "0", "1"); // both stored before "late" subscribed
        publish(router, "orders", "2");
        assertEquals(List.of("orders:2"), late.topicsAndData());
    }

    @Test
    void failingListenerLosesItsSubscriptionAndHarmsNoOne() {
        Router router = router();
        List<String> calls = new ArrayList<>();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), d -> {
            calls.add(d.message().data());
            throw new IllegalStateException("listener broke");
        });
        Recorder healthy = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), healthy::onMessage);
        assertEquals(0, publish(router, "orders", "1").get(0).offset());
        publish(router, "orders", "2");
        assertEquals(List.of("1"), calls);
        assertEquals(List.of("orders:1", "orders:2"), healthy.topicsAndData());
    }

    @Test
    void subscriptionsDoNotConsumeForGroups() {
        Router router = router();
        Recorder r = new Recorder();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("orders")), r::onMessage);
        publish(router, "orders", "1", "2");
        assertEquals(2, r.received.size());
        assertEquals(range(0, 2), offsets(router.consume(topic("orders"), G, 10)));
    }

    // ---- retention ----

    @Test
    void expireAllDropsMessagesOlderThanTheRetention() {
        Router router = router("RETENTION_HOURS", "1");
        clock.set(Instant.parse("2024-05-01T12:00:00.123Z")); // whole milliseconds, as stored
        publish(router, "orders", "old0", "old1");
        clock.advance(Duration.ofMinutes(30));
        publish(router, "orders", "new2");
        publish(router, "other", "x");
        assertEquals(List.of("old0"), data(router.consume(topic("orders"), G, 1)));

        clock.advance(Duration.ofMinutes(30)); // old0 and old1 are exactly one hour old
        router.expireAll();
        assertEquals(new TopicInfo(topic("orders"), 3, 0, 2), info(router, "orders").orElseThrow());

        clock.advance(Duration.ofMillis(1));
        router.expireAll();
        assertEquals(new TopicInfo(topic("orders"), 1, 2, 2), info(router, "orders").orElseThrow());
        assertEquals(List.of("new2"), data(router.consume(topic("orders"), G, 10)), "old1 expired unconsumed");
        assertEquals(List.of("new2"), data(router.consume(topic("orders"), GroupName.of("late"), 10)));

        clock.advance(Duration.ofHours(1));
        router.expireAll();
        assertEquals(List.of(new TopicInfo(topic("orders"), 0, 3, 2), new TopicInfo(topic("other"), 0, 1, 0)),
                router.topics());
        assertEquals(List.of(), router.consume(topic("orders"), GroupName.of("later"), 10));
        assertEquals(3, publish(router, "orders", "next").get(0).offset(), "offsets are never reused");
        assertEquals(List.of("next"), data(router.consume(topic("orders"), G, 10)));
    }

    @Test
    void expireAllWalksPastManyExpiredMessages() {
        Router router = router("RETENTION_HOURS", "24");
        String[] old = IntStream.range(0, 700).mapToObj(Integer::toString).toArray(String[]::new);
        publish(router, "orders", old);
        clock.advance(Duration.ofHours(12));
        publish(router, "orders", "recent");
        clock.advance(Duration.ofHours(13));
        router.expireAll();
        assertEquals(new TopicInfo(topic("orders"), 1, 700, 700), info(router, "orders").orElseThrow());
        assertEquals(List.of("recent"), data(router.consume(topic("orders"), G, 1000)));
    }

    @Test
    void expireAllKeepsEverythingWhenNothingIsOld() {
        Router router = router();
        publish(router, "orders", "0", "1");
        clock.advance(Duration.ofMinutes(59));
        router.expireAll();
        assertEquals(List.of(new TopicInfo(topic("orders"), 2, 0, 1)), router.topics());
    }

    // ---- health and close ----

    @Test
    void healthReportsTheStore() {
        Router router = router();
        clock.advance(Duration.ofSeconds(90));
        HealthReport h = router.health();
        assertTrue(h.up());
        assertEquals("memory", h.store());
        assertFalse(h.storeDurable());
        assertEquals(Optional.empty(), h.storeProblem());
        assertEquals(Duration.ofSeconds(90), h.uptime());
        assertNotEquals("", h.version());
    }

    @Test
    void closedRouterRefusesPublishesAndReportsDown() {
        Router router = router();
        publish(router, "orders", "0");
        router.close();
        assertEquals(ErrorCode.SHUTTING_DOWN, publishRefused(router, "orders", "1").code());
        assertFalse(router.health().up());
        assertTrue(router.health().storeProblem().isPresent());
        assertEquals(range(0, 1), offsets(router.consume(topic("orders"), G, 10)));
    }
}
