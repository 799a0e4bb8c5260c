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
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.Subscription;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.core.internal.Fixture.Listener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GroupSemanticsTest checks consumer groups as SPEC section 1 describes them: every group sees every
 * message, a message goes to one consumer of a group at a time, whether it polls over HTTP or is a
 * pushed member; long polls; pattern members; and broadcast replay.
 */
class GroupSemanticsTest {
    private static final String T = "orders";
    private static final GroupName G = GroupName.of("workers");
    private static final GroupName OTHER = GroupName.of("auditors");
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final Fixture fx = Fixture.of("ACK_TIMEOUT", "10s");

    @AfterEach
    void close() {
        fx.close();
    }

    private Subscription member(String pattern, GroupName group, AckMode ack, int maxInFlight, Listener listener) {
        return fx.router.subscribe(new SubscribeRequest(TopicPattern.of(pattern), Optional.of(group), ack, Optional.empty(),
                maxInFlight), listener);
    }

    private Subscription broadcast(String pattern, StartFrom from, Listener listener) {
        return fx.router.subscribe(new SubscribeRequest(TopicPattern.of(pattern), Optional.empty(), AckMode.AUTO,
                Optional.of(from), SubscribeRequest.DEFAULT_MAX_IN_FLIGHT), listener);
    }

    private static GroupSettings settings(StartFrom from) {
        return new GroupSettings(from, ACK_TIMEOUT, 5);
    }

    // ---- groups ----

    @Test
    void everyGroupGetsEveryMessage() {
        fx.publishNumbered(T, 0, 5);
        List<Delivery> a = fx.manual(T, G, 10);
        List<Delivery> b = fx.manual(T, OTHER, 10);
        assertEquals(range(0, 5), offsets(a));
        assertEquals(range(0, 5), offsets(b), "leases of one group do not hide messages from another");
        fx.ack(T, G, receipts(a));
        assertEquals(List.of(), fx.manual(T, OTHER, 10));
        fx.advance(ACK_TIMEOUT);
        assertEquals(range(0, 5), offsets(fx.manual(T, OTHER, 10)), "acks of one group finish nothing in another");
        assertEquals(List.of(), fx.manual(T, G, 10));
    }

    @Test
    void consumersOfOneGroupNeverGetTheSameMessage() {
        fx.publishNumbered(T, 0, 20);
        List<Long> first = new ArrayList<>();
        List<Long> second = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            first.addAll(offsets(fx.manual(T, G, 2)));
            second.addAll(offsets(fx.auto(T, G, 2)));
        }
        Set<Long> overlap = new HashSet<>(first);
        overlap.retainAll(second);
        assertEquals(Set.of(), overlap);
        TreeSet<Long> all = new TreeSet<>(first);
        all.addAll(second);
        assertEquals(20, all.size());
        assertEquals(20, first.size() + second.size());
    }

    @Test
    void newGroupStartsAtTheOldestRetainedMessage() {
        Fixture small = Fixture.of("MAX_QUEUE_SIZE", "3");
        try {
            small.publishEach(T, 0, 5); // no group yet: the oldest two are evicted freely
            assertEquals(List.of("2", "3", "4"), data(small.auto(T, G, 10)));
        } finally {
            small.close();
        }
    }

    @Test
    void groupCreatedAtLatestSeesOnlyLaterMessages() {
        fx.publishNumbered(T, 0, 3);
        GroupCreation c = fx.router.createGroup(TopicName.of(T), G, settings(StartFrom.LATEST));
        assertTrue(c.created());
        assertEquals(List.of(), fx.auto(T, G, 10));
        fx.publishNumbered(T, 3, 1);
        assertEquals(List.of(3L), offsets(fx.auto(T, G, 10)));
        assertEquals(0, fx.groupStats(T, G).lag());
    }

    @Test
    void groupCreatedAtAnOffsetStartsThere() {
        fx.publishNumbered(T, 0, 5);
        fx.router.createGroup(TopicName.of(T), G, settings(new StartFrom.AtOffset(3)));
        assertEquals(List.of(3L, 4L), offsets(fx.auto(T, G, 10)));
        // Beyond the end: the next message published.
        fx.router.createGroup(TopicName.of(T), OTHER, settings(new StartFrom.AtOffset(1000)));
        assertEquals(List.of(), fx.auto(T, OTHER, 10));
        fx.publishNumbered(T, 5, 1);
        assertEquals(List.of(5L), offsets(fx.auto(T, OTHER, 10)));
    }

    @Test
    void groupCreatedAtAnEvictedOffsetStartsAtTheOldestRetained() {
        Fixture small = Fixture.of("MAX_QUEUE_SIZE", "3");
        try {
            small.publishEach(T, 0, 6);
            small.router.createGroup(TopicName.of(T), G, settings(new StartFrom.AtOffset(1)));
            assertEquals(List.of(3L, 4L, 5L), offsets(small.auto(T, G, 10)));
        } finally {
            small.close();
        }
    }

    @Test
    void groupCreatedAtEarliestGetsEverythingRetained() {
        fx.publishNumbered(T, 0, 3);
        fx.router.createGroup(TopicName.of(T), G, settings(StartFrom.EARLIEST));
        assertEquals(range(0, 3), offsets(fx.auto(T, G, 10)));
    }

    @Test
    void createGroupTwiceWithTheSameSettingsCreatesItOnce() {
        GroupSettings s = settings(StartFrom.LATEST);
        assertTrue(fx.router.createGroup(TopicName.of(T), G, s).created());
        fx.publishNumbered(T, 0, 2);
        fx.auto(T, G, 1);
        GroupCreation again = fx.router.createGroup(TopicName.of(T), G, s);
        assertFalse(again.created());
        assertEquals(s, again.settings());
        assertEquals(List.of(1L), offsets(fx.auto(T, G, 10)), "the group kept its position");
    }

    @Test
    void createGroupWithOtherSettingsConflicts() {
        fx.router.createGroup(TopicName.of(T), G, settings(StartFrom.EARLIEST));
        for (GroupSettings other : List.of(settings(StartFrom.LATEST), new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 6),
                new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(11), 5))) {
            assertEquals(ErrorCode.GROUP_CONFLICT, Fixture.refusal(() -> CompletableFuture.completedFuture(
                    fx.router.createGroup(TopicName.of(T), G, other))).code(), other.toString());
        }
        assertTrue(fx.router.createGroup(TopicName.of("payments"), G, settings(StartFrom.LATEST)).created(),
                "a group name is per topic");
    }

    @Test
    void groupMadeByAConsumerHasTheDefaultSettings() {
        fx.publish(T, "0");
        fx.auto(T, G, 1);
        GroupSettings defaults = new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 5);
        assertFalse(fx.router.createGroup(TopicName.of(T), G, defaults).created());
    }

    // ---- push members ----

    @Test
    void membersAndPollersOfAGroupShareItsMessages() {
        Listener a = new Listener();
        Listener b = new Listener();
        member(T, G, AckMode.MANUAL, 2, a);
        member(T, G, AckMode.MANUAL, 2, b);
        fx.publishNumbered(T, 0, 10);
        List<Delivery> polled = fx.manual(T, G, 10);

        assertEquals(2, a.received.size());
        assertEquals(2, b.received.size());
        assertEquals(6, polled.size());
        TreeSet<Long> all = new TreeSet<>(a.offsets());
        all.addAll(b.offsets());
        all.addAll(offsets(polled));
        assertEquals(new TreeSet<>(range(0, 10)), all, "each message to exactly one of them");

        // The members hold their share: new messages wait until they settle.
        fx.ack(T, G, receipts(polled));
        fx.publishNumbered(T, 10, 4);
        assertEquals(4, a.received.size() + b.received.size());
        fx.ack(T, G, a.receipts().toArray(String[]::new));
        fx.ack(T, G, b.receipts().toArray(String[]::new));
        assertEquals(8, a.received.size() + b.received.size());
        TreeSet<Long> members = new TreeSet<>(a.offsets());
        members.addAll(b.offsets());
        assertEquals(8, members.size(), "no message went to both");
        assertTrue(members.containsAll(range(10, 14)));
        for (Delivery d : a.received) {
            assertEquals(Optional.of(G), d.group());
            assertEquals(0, d.retryCount());
        }
    }

    @Test
    void memberHoldsAtMostMaxInFlightUnackedMessages() {
        Listener m = new Listener();
        member(T, G, AckMode.MANUAL, 3, m);
        fx.publishNumbered(T, 0, 10);
        assertEquals(range(0, 3), m.offsets());
        assertEquals(3, fx.groupStats(T, G).inFlight());

        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, m.receipts().get(1)));
        assertEquals(range(0, 4), m.offsets(), "one more after one ack");
        fx.ack(T, G, m.receipts().get(0), m.receipts().get(2));
        assertEquals(range(0, 6), m.offsets());
        while (m.received.size() < 10) {
            int before = m.received.size();
            fx.ack(T, G, m.receipts().get(before - 1));
            assertTrue(m.received.size() > before, "acks keep it flowing");
        }
        assertEquals(range(0, 10), m.offsets());
    }

    @Test
    void nackedMessageOfAMemberGoesBackToTheGroup() {
        Listener m = new Listener();
        member(T, G, AckMode.MANUAL, 1, m);
        fx.publishNumbered(T, 0, 2);
        assertEquals(List.of(0L), m.offsets());
        fx.nack(T, G, m.receipts().get(0));
        assertEquals(List.of(0L, 0L), m.offsets(), "handed out again, to the only member");
        assertEquals(List.of(0, 1), retryCounts(m.received));
    }

    @Test
    void automaticMemberGetsEverythingAsItIsStored() {
        Listener m = new Listener();
        member(T, G, AckMode.AUTO, 100, m);
        fx.publishNumbered(T, 0, 250);
        assertEquals(range(0, 250), m.offsets());
        assertEquals(List.of(), fx.auto(T, G, 10));
        assertTrue(m.received.stream().allMatch(d -> d.receipt().isEmpty()));
    }

    @Test
    void memberWithoutCapacityGetsNothingUntilItWakes() {
        Listener m = new Listener(0);
        Subscription s = member(T, G, AckMode.AUTO, 100, m);
        fx.publishNumbered(T, 0, 3);
        assertEquals(List.of(), m.offsets());
        assertEquals(3, fx.groupStats(T, G).lag(), "held back, not consumed");

        m.setBudget(2);
        s.wake();
        assertEquals(List.of(0L, 1L), m.offsets(), "no more than its capacity");
        m.setBudget(5);
        s.wake();
        assertEquals(range(0, 3), m.offsets());
    }

    @Test
    void pollerGetsWhatAMemberWithoutCapacityCannotTake() {
        Listener m = new Listener(0);
        member(T, G, AckMode.AUTO, 100, m);
        fx.publishNumbered(T, 0, 3);
        assertEquals(range(0, 3), offsets(fx.auto(T, G, 10)));
        assertEquals(List.of(), m.offsets());
    }

    @Test
    void closingAMemberGivesItsLeasesBackAtOnce() {
        Listener leaving = new Listener();
        Subscription s = member(T, G, AckMode.MANUAL, 5, leaving);
        fx.publishNumbered(T, 0, 5);
        assertEquals(range(0, 5), leaving.offsets());
        Listener staying = new Listener();
        member(T, G, AckMode.MANUAL, 10, staying);
        assertEquals(List.of(), staying.offsets());

        s.close();
        assertEquals(range(0, 5), staying.offsets(), "without waiting for the ack timeout");
        assertEquals(List.of(1, 1, 1, 1, 1), retryCounts(staying.received));
        String old = leaving.receipts().get(0);
        assertEquals(new SettleResult(0, List.of(old)), fx.ack(T, G, old));

        fx.publishNumbered(T, 5, 1);
        assertEquals(5, leaving.received.size(), "a closed member gets nothing more");
        assertEquals(6, staying.received.size());
        s.close(); // repeat calls do nothing
    }

    @Test
    void closingAMemberGivesItsLeasesToAPoller() {
        Listener leaving = new Listener();
        Subscription s = member(T, G, AckMode.MANUAL, 5, leaving);
        fx.publishNumbered(T, 0, 2);
        s.close();
        List<Delivery> got = fx.manual(T, G, 10);
        assertEquals(range(0, 2), offsets(got));
        assertEquals(List.of(1, 1), retryCounts(got));
        assertEquals(0, fx.stats(T).liveSubscribers());
    }

    @Test
    void patternMemberJoinsTheGroupOnTopicsCreatedLater() {
        Listener m = new Listener();
        member("orders.*", G, AckMode.AUTO, 100, m);
        fx.publish("orders.eu", "eu");
        fx.publish("orders.us", "us");
        fx.publish("orders.eu.north", "too deep");
        fx.publish("payments", "elsewhere");
        assertEquals(List.of("orders.eu:eu", "orders.us:us"),
                m.received.stream().map(d -> d.message().topic() + ":" + d.message().data()).toList());
        assertEquals(List.of(), fx.auto("orders.eu", G, 10), "consumed for the group");
        assertEquals(1, fx.groupStats("orders.us", G).acked());
        assertEquals(List.of("too deep"), data(fx.auto("orders.eu.north", G, 10)));
    }

    @Test
    void patternMemberSharesTheGroupOnEachTopic() {
        Listener m = new Listener(0);
        Subscription s = member("orders.*", G, AckMode.AUTO, 100, m);
        fx.publish("orders.eu", "a");
        fx.publish("orders.us", "b");
        assertEquals(List.of("a"), data(fx.auto("orders.eu", G, 10)));
        m.setBudget(10);
        s.wake();
        assertEquals(List.of("b"), data(m.received));
    }

    // ---- long polls ----

    @Test
    void longPollCompletesWhenAMessageIsPublished() {
        CompletableFuture<List<Delivery>> poll = fx.poll(T, G, 5, AckMode.AUTO, Duration.ofSeconds(30));
        assertFalse(poll.isDone());
        fx.publish(T, "hello");
        List<Delivery> got = Fixture.join(poll);
        assertEquals(List.of("hello"), data(got));
        assertEquals(List.of(), fx.auto(T, G, 10), "handed out once");
    }

    @Test
    void longPollOfAManualConsumerGetsALease() {
        CompletableFuture<List<Delivery>> poll = fx.poll(T, G, 5, AckMode.MANUAL, Duration.ofSeconds(30));
        fx.publish(T, "hello");
        Delivery d = Fixture.join(poll).get(0);
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, receipt(d)));
    }

    @Test
    void longPollCompletesEmptyOnceItsWaitIsOver() {
        fx.publish(T, "other group's");
        fx.auto(T, G, 10);
        CompletableFuture<List<Delivery>> poll = fx.poll(T, G, 5, AckMode.AUTO, Duration.ofSeconds(30));
        fx.advance(Duration.ofSeconds(29));
        assertFalse(poll.isDone());
        fx.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), Fixture.join(poll));
        fx.publish(T, "later");
        assertEquals(List.of("later"), data(fx.auto(T, G, 10)), "the timed-out poll took nothing");
    }

    @Test
    void longPollOnATopicThatDoesNotExistYetWaitsForIt() {
        CompletableFuture<List<Delivery>> poll = fx.poll("fresh", G, 1, AckMode.AUTO, Duration.ofSeconds(30));
        assertFalse(poll.isDone());
        fx.publish("fresh", "first");
        assertEquals(List.of("first"), data(Fixture.join(poll)));
    }

    @Test
    void cancelledLongPollIsHandedNothing() {
        CompletableFuture<List<Delivery>> poll = fx.poll(T, G, 5, AckMode.AUTO, Duration.ofSeconds(30));
        assertTrue(poll.cancel(false));
        fx.publish(T, "kept");
        List<Delivery> got = fx.auto(T, G, 10);
        assertEquals(List.of("kept"), data(got));
        assertEquals(List.of(0), retryCounts(got));
    }

    @Test
    void cancelledManualLongPollLeasesNothing() {
        CompletableFuture<List<Delivery>> poll = fx.poll(T, G, 5, AckMode.MANUAL, Duration.ofSeconds(30));
        poll.cancel(false);
        fx.publish(T, "kept");
        assertEquals(0, fx.groupStats(T, G).inFlight());
        assertEquals(List.of("kept"), data(fx.manual(T, G, 10)));
    }

    @Test
    void eachMessageCompletesOneOfSeveralLongPolls() {
        CompletableFuture<List<Delivery>> first = fx.poll(T, G, 1, AckMode.AUTO, Duration.ofSeconds(30));
        CompletableFuture<List<Delivery>> second = fx.poll(T, G, 1, AckMode.AUTO, Duration.ofSeconds(30));
        fx.publish(T, "one");
        assertTrue(first.isDone() != second.isDone(), "exactly one poll completed");
        fx.publish(T, "two");
        List<String> got = new ArrayList<>(data(Fixture.join(first)));
        got.addAll(data(Fixture.join(second)));
        assertEquals(Set.of("one", "two"), Set.copyOf(got));
        assertEquals(2, got.size());
    }

    @Test
    void longPollOfAnotherGroupIsNotAnsweredByThisGroupsConsumption() {
        fx.publish(T, "0");
        fx.auto(T, G, 10);
        CompletableFuture<List<Delivery>> other = fx.poll(T, OTHER, 5, AckMode.AUTO, Duration.ofSeconds(30));
        assertEquals(List.of("0"), data(Fixture.join(other)), "a new group starts at the oldest message");
    }

    // ---- broadcast replay ----

    @Test
    void broadcastFromEarliestReplaysThenContinuesLive() {
        fx.publishNumbered(T, 0, 600); // more than one replay chunk
        Listener l = new Listener();
        broadcast(T, StartFrom.EARLIEST, l);
        assertEquals(range(0, 600), l.offsets());
        fx.publishNumbered(T, 600, 5);
        assertEquals(range(0, 605), l.offsets());
        assertTrue(l.received.stream().allMatch(d -> d.group().isEmpty() && d.receipt().isEmpty()));
    }

    @Test
    void broadcastFromAnOffsetReplaysFromThere() {
        fx.publishNumbered(T, 0, 10);
        Listener l = new Listener();
        broadcast(T, new StartFrom.AtOffset(7), l);
        assertEquals(range(7, 10), l.offsets());
        fx.publishNumbered(T, 10, 2);
        assertEquals(range(7, 12), l.offsets());
    }

    @Test
    void broadcastFromLatestGetsOnlyNewMessages() {
        fx.publishNumbered(T, 0, 3);
        Listener l = new Listener();
        broadcast(T, StartFrom.LATEST, l);
        fx.publishNumbered(T, 3, 2);
        assertEquals(range(3, 5), l.offsets());
    }

    @Test
    void broadcastFromAnEvictedOffsetStartsAtTheOldestRetained() {
        Fixture small = Fixture.of("MAX_QUEUE_SIZE", "4");
        try {
            small.publishEach(T, 0, 10);
            Listener l = new Listener();
            small.router.subscribe(new SubscribeRequest(TopicPattern.of(T), Optional.empty(), AckMode.AUTO,
                    Optional.of(new StartFrom.AtOffset(2)), 100), l);
            assertEquals(range(6, 10), l.offsets());
        } finally {
            small.close();
        }
    }

    @Test
    void broadcastReplayDoesNotConsumeForGroups() {
        fx.publishNumbered(T, 0, 3);
        broadcast(T, StartFrom.EARLIEST, new Listener());
        assertEquals(range(0, 3), offsets(fx.auto(T, G, 10)));
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // guards against a hang only
    void broadcastFromEarliestWhilePublishingHasNoGapsOrDuplicates() throws Exception {
        int total = 20_000;
        Fixture fx = Fixture.of("MAX_QUEUE_SIZE", "100000"); // nothing is evicted before a replay reaches it
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch halfway = new CountDownLatch(1);
            Future<?> publisher = pool.submit(() -> {
                for (int i = 0; i < total; i += 10) {
                    fx.publishNumbered(T, i, 10);
                    if (i == total / 4) {
                        halfway.countDown();
                    }
                }
            });
            List<Listener> listeners = new ArrayList<>();
            halfway.await();
            for (int i = 0; i < 20; i++) {
                Listener l = new Listener();
                fx.router.subscribe(new SubscribeRequest(TopicPattern.of(T), Optional.empty(), AckMode.AUTO,
                        Optional.of(i % 2 == 0 ? StartFrom.EARLIEST : new StartFrom.AtOffset(100 * i)), 100), l);
                listeners.add(l);
            }
            publisher.get();
            for (int i = 0; i < listeners.size(); i++) {
                List<Long> got = listeners.get(i).offsets();
                long from = i % 2 == 0 ? 0 : 100L * i;
                String problem = got.equals(range(from, total)) ? null : differences(from, total, got);
                assertEquals(null, problem, "listener " + i + " from " + from);
            }
        } finally {
            pool.shutdownNow();
            fx.close();
        }
    }

    /** differences summarises how a list of offsets differs from [from, to): first gaps, duplicates, disorder. */
    private static String differences(long from, long to, List<Long> got) {
        List<String> out = new ArrayList<>();
        out.add(got.size() + " received, " + (to - from) + " expected");
        long expect = from;
        for (int i = 0; i < got.size() && out.size() < 8; i++) {
            long o = got.get(i);
            if (o > expect) {
                out.add("gap " + expect + ".." + (o - 1) + " at index " + i);
            } else if (o < expect) {
                out.add("repeat or disorder: " + o + " at index " + i + " after " + (expect - 1));
            }
            expect = Math.max(expect, o + 1);
        }
        return String.join("; ", out);
    }

    @Test
    void broadcastSubscriberIsCountedLive() {
        Subscription s = broadcast(T, StartFrom.LATEST, new Listener());
        member(T, G, AckMode.AUTO, 10, new Listener(0));
        assertEquals(2, fx.stats(T).liveSubscribers());
        s.close();
        assertEquals(1, fx.stats(T).liveSubscribers());
    }

    @Test
    void messagesReceivedMatchWhatWasStored() {
        List<Message> stored = fx.publishNumbered(T, 0, 3);
        Listener l = new Listener();
        member(T, G, AckMode.AUTO, 10, l);
        assertEquals(stored, l.received.stream().map(Delivery::message).toList());
    }
}
