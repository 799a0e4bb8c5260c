package dev.broker.core.internal;

import static dev.broker.core.internal.Fixture.data;
import static dev.broker.core.internal.Fixture.offsets;
import static dev.broker.core.internal.Fixture.range;
import static dev.broker.core.internal.Fixture.receipt;
import static dev.broker.core.internal.Fixture.receipts;
import static dev.broker.core.internal.Fixture.retryCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.api.TopicStats;
import dev.broker.api.TopicStats.GroupStats;
import dev.broker.core.internal.Fixture.Listener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TopicLifecycleTest checks what happens to a topic's messages and groups over time: the size limit
 * and retention with groups (SPEC section 2), statistics, a restart on the same store (section 3),
 * and deletion.
 */
class TopicLifecycleTest {
    private static final String T = "orders";
    private static final GroupName G = GroupName.of("workers");
    private static final GroupName OTHER = GroupName.of("auditors");
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    private static final GroupSettings EARLIEST = new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 5);

    private final List<Fixture> fixtures = new ArrayList<>();

    private Fixture fixture(String... settings) {
        List<String> all = new ArrayList<>(List.of("ACK_TIMEOUT", "10s"));
        all.addAll(List.of(settings));
        Fixture fx = Fixture.of(all.toArray(String[]::new));
        fixtures.add(fx);
        return fx;
    }

    @AfterEach
    void close() {
        fixtures.forEach(Fixture::close);
    }

    private static BrokerException publishRefused(Fixture fx, String topic, String... data) {
        return Fixture.refusal(() -> fx.router.publish(TopicName.of(topic),
                java.util.Arrays.stream(data).map(NewMessage::of).toList()));
    }

    private static TopicInfo info(Fixture fx, String topic) {
        return fx.router.topics().stream().filter(t -> t.name().equals(TopicName.of(topic))).findFirst().orElseThrow();
    }

    // ---- size limit and retention with groups ----

    @Test
    void rejectRefusesWhileAGroupHoldsTheOldestLeased() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "3");
        fx.router.createGroup(TopicName.of(T), G, EARLIEST);
        fx.publishNumbered(T, 0, 3);
        String r = receipt(fx.manual(T, G, 1).get(0));

        BrokerException full = publishRefused(fx, T, "3");
        assertEquals(ErrorCode.TOPIC_FULL, full.code());
        assertTrue(full.retryAfter().isPresent(), "a full topic says when to retry");
        assertEquals(new TopicInfo(TopicName.of(T), 3, 0, 2), info(fx, T), "the refused publish changed nothing");

        fx.ack(T, G, r);
        assertEquals(3, fx.publish(T, "3").get(0).offset());
        assertEquals(new TopicInfo(TopicName.of(T), 3, 1, 3), info(fx, T));
        assertEquals(0, fx.stats(T).dropped());
    }

    @Test
    void rejectNeedsTheOldestFinishedNotJustLaterOnes() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "3");
        fx.router.createGroup(TopicName.of(T), G, EARLIEST);
        fx.publishNumbered(T, 0, 3);
        List<Delivery> got = fx.manual(T, G, 3);
        fx.ack(T, G, receipt(got.get(1)), receipt(got.get(2)));
        assertEquals(ErrorCode.TOPIC_FULL, publishRefused(fx, T, "3").code());
        fx.ack(T, G, receipt(got.get(0)));
        assertEquals(List.of(3L, 4L, 5L), fx.publishNumbered(T, 3, 3).stream().map(Message::offset).toList(),
                "all three finished: all three may go");
    }

    @Test
    void rejectWaitsForEveryGroupIncludingOnesThatNeverConsumed() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "2");
        fx.router.createGroup(TopicName.of(T), G, EARLIEST);
        fx.router.createGroup(TopicName.of(T), OTHER, EARLIEST);
        fx.publishNumbered(T, 0, 2);
        fx.auto(T, G, 10);
        assertEquals(ErrorCode.TOPIC_FULL, publishRefused(fx, T, "2").code());
        fx.auto(T, OTHER, 1);
        assertEquals(2, fx.publish(T, "2").get(0).offset());
    }

    @Test
    void dropOldestEvictsAndCountsOnlyUnfinishedMessages() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "3", "OVERFLOW_POLICY", "drop-oldest");
        fx.router.createGroup(TopicName.of(T), G, EARLIEST);
        fx.router.createGroup(TopicName.of(T), OTHER, EARLIEST);
        fx.publishNumbered(T, 0, 3);
        fx.auto(T, G, 1); // G finished 0; OTHER nothing
        fx.auto(T, OTHER, 2); // OTHER finished 0 and 1
        fx.publishNumbered(T, 3, 2); // evicts 0 (finished by both) and 1 (unfinished in G)

        assertEquals(1, fx.stats(T).dropped(), "one unfinished message, counted once however many groups missed it");
        assertEquals(new TopicInfo(TopicName.of(T), 3, 2, 4), info(fx, T));
        assertEquals(List.of(2L, 3L, 4L), offsets(fx.auto(T, G, 10)), "the evicted message is never handed out");
        assertEquals(List.of(2L, 3L, 4L), offsets(fx.auto(T, OTHER, 10)));
        assertEquals(0, fx.groupStats(T, G).lag());
    }

    @Test
    void dropOldestEvictsLeasedMessagesAndTheirReceiptsGoStale() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "2", "OVERFLOW_POLICY", "drop-oldest");
        fx.publishNumbered(T, 0, 2);
        List<Delivery> leased = fx.manual(T, G, 2);
        fx.publishNumbered(T, 2, 2);

        assertEquals(2, fx.stats(T).dropped());
        assertEquals(new SettleResult(0, List.of(receipts(leased))), fx.ack(T, G, receipts(leased)));
        assertEquals(0, fx.groupStats(T, G).inFlight());
        fx.advance(ACK_TIMEOUT.multipliedBy(2));
        assertEquals(List.of(2L, 3L), offsets(fx.manual(T, G, 10)), "the evicted leases are not handed out again");
    }

    @Test
    void dropOldestDoesNotCountWhatATopicWithoutGroupsEvicts() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "2", "OVERFLOW_POLICY", "drop-oldest");
        fx.publishEach(T, 0, 5);
        assertEquals(0, fx.stats(T).dropped());
        assertEquals(3, fx.stats(T).firstOffset());
    }

    @Test
    void expireAllCountsMessagesNoGroupFinished() {
        Fixture fx = fixture("RETENTION_HOURS", "1");
        fx.router.createGroup(TopicName.of(T), G, EARLIEST);
        fx.publishNumbered(T, 0, 3);
        fx.auto(T, G, 1);
        String leased = receipt(fx.manual(T, G, 1).get(0));
        fx.advance(Duration.ofMinutes(61));
        fx.publishNumbered(T, 3, 1);
        fx.router.expireAll();

        TopicStats stats = fx.stats(T);
        assertEquals(2, stats.expired(), "offsets 1 (leased) and 2 (never delivered); 0 was finished");
        assertEquals(0, stats.dropped());
        assertEquals(1, stats.messages());
        assertEquals(3, stats.firstOffset());
        assertEquals(new SettleResult(0, List.of(leased)), fx.ack(T, G, leased));
        assertEquals(List.of(3L), offsets(fx.manual(T, G, 10)));
    }

    @Test
    void expireAllWithoutGroupsCountsNothing() {
        Fixture fx = fixture("RETENTION_HOURS", "1");
        fx.publishNumbered(T, 0, 3);
        fx.advance(Duration.ofHours(2));
        fx.router.expireAll();
        assertEquals(0, fx.stats(T).messages());
        assertEquals(0, fx.stats(T).expired());
        assertEquals(List.of(), fx.auto(T, G, 10), "a group made now finds nothing");
    }

    @Test
    void deadLettersDroppedByTheSizeLimitAreCounted() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "2", "MAX_DELIVERIES", "1");
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 1));
        for (int i = 0; i < 3; i++) {
            fx.publishNumbered(T, i, 1);
            fx.nack(T, G, receipts(fx.manual(T, G, 1)));
        }
        TopicStats dlq = fx.stats("dlq.orders");
        assertEquals(2, dlq.messages());
        assertEquals(1, dlq.dropped(), "a dead letter no one read is never dropped silently");
    }

    // ---- statistics ----

    @Test
    void statsFollowDeliveriesAcksAndRetries() {
        Fixture fx = fixture("MAX_DELIVERIES", "2");
        fx.publish(T, "a", "\"€\"", "123"); // 1 + 5 + 3 bytes
        TopicStats s = fx.stats(T);
        assertEquals(3, s.messages());
        assertEquals(9, s.bytes());
        assertEquals(0, s.firstOffset());
        assertEquals(2, s.lastOffset());
        assertEquals(3, s.published());
        assertEquals(0, s.consumed());
        assertEquals(Optional.of(Duration.ZERO), s.oldestMessageAge());
        assertEquals(List.of(), s.groups());

        fx.advance(Duration.ofSeconds(2));
        List<Delivery> got = fx.manual(T, G, 2);
        assertEquals(new GroupStats(G, 3, 2, 2, 0, 0, 0, 0, Optional.of(Duration.ZERO)), fx.groupStats(T, G));
        fx.advance(Duration.ofSeconds(3));
        assertEquals(Optional.of(Duration.ofSeconds(5)), fx.stats(T).oldestMessageAge());
        assertEquals(new GroupStats(G, 3, 2, 2, 0, 0, 0, 0, Optional.of(Duration.ofSeconds(3))), fx.groupStats(T, G));

        fx.ack(T, G, receipt(got.get(0)));
        assertEquals(new GroupStats(G, 2, 1, 2, 1, 0, 0, 0, Optional.of(Duration.ofSeconds(3))), fx.groupStats(T, G));
        assertEquals(1, fx.stats(T).consumed());

        fx.nack(T, G, receipt(got.get(1)));
        assertEquals(new GroupStats(G, 2, 0, 2, 1, 0, 0, 0, Optional.empty()), fx.groupStats(T, G));
        List<Delivery> again = fx.manual(T, G, 10);
        assertEquals(List.of(1L, 2L), offsets(again));
        assertEquals(new GroupStats(G, 2, 2, 4, 1, 1, 0, 0, Optional.of(Duration.ZERO)), fx.groupStats(T, G));

        fx.nack(T, G, receipt(again.get(0))); // its second delivery: dead-lettered
        fx.ack(T, G, receipt(again.get(1)));
        assertEquals(new GroupStats(G, 0, 0, 4, 2, 1, 1, 0, Optional.empty()), fx.groupStats(T, G));
        assertEquals(2, fx.stats(T).consumed(), "a dead letter is not consumed");

        fx.auto(T, OTHER, 10);
        assertEquals(new GroupStats(OTHER, 0, 0, 3, 3, 0, 0, 0, Optional.empty()), fx.groupStats(T, OTHER));
        assertEquals(5, fx.stats(T).consumed());
        assertEquals(3, fx.stats(T).published(), "dead letters are published to their own topic");
        assertEquals(1, fx.stats("dlq.orders").published());
    }

    @Test
    void lagCountsStoredMessagesTheGroupHasNotFinished() {
        Fixture fx = fixture();
        fx.router.createGroup(TopicName.of(T), G, EARLIEST);
        fx.publishNumbered(T, 0, 5);
        assertEquals(5, fx.groupStats(T, G).lag());
        List<Delivery> got = fx.manual(T, G, 5);
        fx.ack(T, G, receipt(got.get(1)), receipt(got.get(3)));
        assertEquals(3, fx.groupStats(T, G).lag(), "acked out of order");
        fx.ack(T, G, receipt(got.get(0)));
        assertEquals(2, fx.groupStats(T, G).lag());
    }

    @Test
    void bytesFollowEviction() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "2");
        fx.publish(T, "1", "22");
        assertEquals(3, fx.stats(T).bytes());
        fx.publish(T, "333"); // evicts "1"
        assertEquals(5, fx.stats(T).bytes());
        assertEquals(2, fx.stats(T).messages());
    }

    @Test
    void liveSubscribersCountsBroadcastsAndMembers() {
        Fixture fx = fixture();
        var b = fx.router.subscribe(SubscribeRequest.broadcast(TopicPattern.of(T)), d -> { });
        var m = fx.router.subscribe(new SubscribeRequest(TopicPattern.of("orders"), Optional.of(G), AckMode.AUTO,
                Optional.empty(), 10), new Listener(0));
        var w = fx.router.subscribe(new SubscribeRequest(TopicPattern.of(">"), Optional.of(OTHER), AckMode.AUTO,
                Optional.empty(), 10), new Listener(0));
        assertEquals(3, fx.stats(T).liveSubscribers());
        m.close();
        b.close();
        assertEquals(1, fx.stats(T).liveSubscribers());
        w.close();
        assertEquals(0, fx.stats(T).liveSubscribers());
    }

    @Test
    void statsOfAnUnknownTopicIsEmpty() {
        assertTrue(fixture().router.stats(TopicName.of("nothing")).isEmpty());
    }

    // ---- restart ----

    @Test
    void restartRestoresTopicsOffsetsAndWhatEachGroupFinished() {
        Fixture fx = fixture();
        fx.publishNumbered(T, 0, 5);
        fx.publish("payments", "p0");
        List<Delivery> got = fx.manual(T, G, 3);
        fx.ack(T, G, receipt(got.get(0)), receipt(got.get(2))); // 1 stays leased
        fx.auto(T, OTHER, 2);

        fx.restart();
        assertEquals(List.of(new TopicInfo(TopicName.of(T), 5, 0, 4), new TopicInfo(TopicName.of("payments"), 1, 0, 0)),
                fx.router.topics());
        assertEquals(5, fx.publish(T, "5").get(0).offset(), "offsets continue");

        List<Delivery> after = fx.manual(T, G, 10);
        assertEquals(List.of(1L, 3L, 4L, 5L), offsets(after), "never 0 or 2; 1 again since its lease was lost");
        assertEquals(List.of(0, 0, 0, 0), retryCounts(after), "delivery counts start again after a restart");
        assertEquals(List.of(2L, 3L, 4L, 5L), offsets(fx.auto(T, OTHER, 10)));
        assertEquals(List.of("p0"), data(fx.auto("payments", G, 10)));
    }

    @Test
    void restartLosesLeasesSoTheirReceiptsAreStale() {
        Fixture fx = fixture();
        fx.publishNumbered(T, 0, 1);
        String before = receipt(fx.manual(T, G, 1).get(0));
        fx.restart();
        assertEquals(new SettleResult(0, List.of(before)), fx.ack(T, G, before));
        List<Delivery> again = fx.manual(T, G, 1);
        assertEquals(List.of(0L), offsets(again), "handed out again at once, without waiting for the ack timeout");
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, receipt(again.get(0))));
        fx.restart();
        assertEquals(List.of(), fx.manual(T, G, 10));
    }

    @Test
    void restartKeepsGroupSettingsAndPositions() {
        Fixture fx = fixture();
        GroupSettings custom = new GroupSettings(StartFrom.LATEST, Duration.ofSeconds(3), 2);
        fx.publishNumbered(T, 0, 2);
        fx.router.createGroup(TopicName.of(T), G, custom);
        fx.router.createGroup(TopicName.of("empty"), G, EARLIEST);
        fx.restart();

        assertFalse(fx.router.createGroup(TopicName.of(T), G, custom).created());
        assertEquals(ErrorCode.GROUP_CONFLICT, Fixture.refusal(() -> CompletableFuture.completedFuture(
                fx.router.createGroup(TopicName.of(T), G, EARLIEST))).code());
        assertFalse(fx.router.createGroup(TopicName.of("empty"), G, EARLIEST).created(),
                "a group on a topic without messages survives too");
        assertEquals(List.of(), fx.manual(T, G, 10), "still at the latest position");
        fx.publishNumbered(T, 2, 1);
        fx.manual(T, G, 1);
        fx.advance(Duration.ofSeconds(3));
        assertEquals(List.of(1), retryCounts(fx.manual(T, G, 1)), "the group's own ack timeout");
    }

    @Test
    void restartKeepsDeadLettersAndEvictions() {
        Fixture fx = fixture("MAX_QUEUE_SIZE", "3", "MAX_DELIVERIES", "1");
        fx.publishNumbered(T, 0, 3);
        fx.publishNumbered(T, 3, 2); // no group yet: 0 and 1 are evicted
        fx.nack(T, G, receipt(fx.manual(T, G, 1).get(0)));
        fx.restart();
        assertEquals(new TopicInfo(TopicName.of(T), 3, 2, 4), info(fx, T));
        assertEquals(List.of("2"), fx.browse("dlq.orders").stream().map(Message::data).toList());
        assertEquals(List.of(3L, 4L), offsets(fx.auto(T, G, 10)));
        assertEquals(5, fx.publish(T, "5").get(0).offset());
    }

    // ---- delete ----

    @Test
    void deleteEndsWaitersTellsSubscribersAndForgetsTheTopic() {
        Fixture fx = fixture();
        fx.publishNumbered(T, 0, 3);
        fx.auto(T, G, 10);
        CompletableFuture<List<Delivery>> waiting = fx.poll(T, G, 1, AckMode.AUTO, Duration.ofSeconds(30));
        Listener member = new Listener(0);
        Listener patternMember = new Listener(0);
        Listener broadcast = new Listener();
        fx.router.subscribe(new SubscribeRequest(TopicPattern.of(T), Optional.of(OTHER), AckMode.AUTO, Optional.empty(), 10),
                member);
        fx.router.subscribe(new SubscribeRequest(TopicPattern.of("orders.>"), Optional.of(OTHER), AckMode.AUTO,
                Optional.empty(), 10), patternMember);
        fx.router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("*")), broadcast);
        fx.publish("orders.eu", "eu");

        assertTrue(fx.router.delete(TopicName.of(T)));
        assertEquals(List.of(), Fixture.join(waiting), "the waiter completes empty");
        assertEquals(List.of(TopicName.of(T)), member.deletedTopics);
        assertEquals(List.of(TopicName.of(T)), broadcast.deletedTopics);
        assertEquals(List.of(), patternMember.deletedTopics, "orders.> does not match orders");
        assertEquals(List.of(TopicName.of("orders.eu")), fx.router.topics().stream().map(TopicInfo::name).toList());
        assertTrue(fx.router.stats(TopicName.of(T)).isEmpty());
        assertEquals(ErrorCode.TOPIC_NOT_FOUND, Fixture.refusal(() -> CompletableFuture.completedFuture(
                fx.router.browse(TopicName.of(T), 0, 10))).code());
        assertFalse(fx.router.delete(TopicName.of(T)), "a second delete finds nothing");
    }

    @Test
    void publishAfterDeleteRecreatesTheTopicFromOffsetZero() {
        Fixture fx = fixture();
        fx.publishNumbered(T, 0, 3);
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.LATEST, ACK_TIMEOUT, 5));
        fx.router.delete(TopicName.of(T));

        assertEquals(0, fx.publish(T, "again").get(0).offset());
        assertEquals(new TopicInfo(TopicName.of(T), 1, 0, 0), info(fx, T));
        assertTrue(fx.router.createGroup(TopicName.of(T), G, EARLIEST).created(), "its groups went with it");
        assertEquals(List.of("again"), data(fx.auto(T, G, 10)));
    }

    @Test
    void receiptsOfADeletedTopicAreStale() {
        Fixture fx = fixture();
        fx.publishNumbered(T, 0, 1);
        String r = receipt(fx.manual(T, G, 1).get(0));
        fx.router.delete(TopicName.of(T));
        assertEquals(new SettleResult(0, List.of(r)), fx.ack(T, G, r));
        fx.publishNumbered(T, 0, 1);
        assertEquals(new SettleResult(0, List.of(r)), fx.ack(T, G, r), "nor on the topic recreated under the name");
    }

    @Test
    void deletedTopicStaysDeletedAfterARestart() {
        Fixture fx = fixture();
        fx.publishNumbered(T, 0, 2);
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.LATEST, ACK_TIMEOUT, 5));
        fx.router.delete(TopicName.of(T));
        fx.restart();
        assertEquals(List.of(), fx.router.topics());
        assertTrue(fx.router.createGroup(TopicName.of(T), G, EARLIEST).created());
    }

    @Test
    void deleteOfAnUnknownTopicIsFalse() {
        assertFalse(fixture().router.delete(TopicName.of("nothing")));
    }
}
