package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.PublishOptions;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.api.TopicStats;
import dev.broker.api.TopicStats.GroupStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * GroupModelPropertyTest runs random interleavings of publish, consume (automatic and manual, by
 * several consumers of one group), ack, nack, extend, the passing of time and eviction by the size
 * limit against a simple model of a group, and checks what SPEC sections 1 and 2 promise: no
 * finished message is handed out again, no message is leased to two consumers at once, settling
 * succeeds exactly for live leases, and in the end every message is finished, dead-lettered or
 * evicted (and the evicted ones are counted as dropped). Some publishes carry a delay or a ttl
 * (docs/scheduled-and-idempotent.md): no message is handed out before it is due or after it has
 * expired, and every message that is neither finished nor dead-lettered was evicted or expired.
 */
class GroupModelPropertyTest {
    private static final String TOPIC = "orders";
    private static final GroupName G = GroupName.of("workers");
    private static final int MAX_QUEUE_SIZE = 8;
    private static final int MAX_DELIVERIES = 3;
    private static final long ACK_TIMEOUT_MS = 1000;
    private static final int CONSUMERS = 3;

    /** Action is one step of a run. */
    sealed interface Action permits Publish, Consume, Ack, Nack, Extend, Advance {
    }

    /** Publish publishes a batch of {@code count} messages, due after {@code delayMillis}, expiring after {@code ttlMillis} (0: never). */
    record Publish(int count, int delayMillis, int ttlMillis) implements Action {
    }

    /** Consume asks for up to {@code limit} messages for one consumer, without waiting. */
    record Consume(int consumer, boolean manual, int limit) implements Action {
    }

    /** Ack acks one of the receipts the consumer got (picked by index), or a bogus one if it has none. */
    record Ack(int consumer, int pick) implements Action {
    }

    /** Nack nacks one of the consumer's receipts, with a delay. */
    record Nack(int consumer, int pick, int delayMillis) implements Action {
    }

    /** Extend renews one of the consumer's leases. */
    record Extend(int consumer, int pick) implements Action {
    }

    /** Advance moves the clock, and runs the due timers if {@code tick}. */
    record Advance(int millis, boolean tick) implements Action {
    }

    /** seeds names each generated run; a failure's name gives the seed that replays it. */
    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    /** actions draws a random interleaving: publish 4, consume 5, ack 3, nack 2, extend 1, advance 3 in 18. */
    static List<Action> actions(Random r) {
        int[] advances = {1, 200, 500, 999, 1000, 1500};
        int[] delays = {0, 0, 300, 1500};
        List<Action> out = new ArrayList<>();
        int n = 1 + r.nextInt(60);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(18);
            int consumer = r.nextInt(CONSUMERS);
            int pick = r.nextInt(21);
            if (k < 4) {
                int delay = new int[] {0, 0, 0, 300, 1500}[r.nextInt(5)];
                int ttl = new int[] {0, 0, 0, 800, 2500}[r.nextInt(5)];
                out.add(new Publish(1 + r.nextInt(4), delay, ttl == 0 || ttl > delay ? ttl : delay + 500));
            } else if (k < 9) {
                out.add(new Consume(consumer, r.nextInt(3) < 2, 1 + r.nextInt(5)));
            } else if (k < 12) {
                out.add(new Ack(consumer, pick));
            } else if (k < 14) {
                out.add(new Nack(consumer, pick, delays[r.nextInt(delays.length)]));
            } else if (k < 15) {
                out.add(new Extend(consumer, pick));
            } else {
                out.add(new Advance(advances[r.nextInt(advances.length)], r.nextBoolean()));
            }
        }
        return out;
    }

    /** Held is a receipt a consumer got, as the model sees it. */
    private static final class Held {
        final long offset;
        final String receipt;
        long deadline;
        boolean settled;

        Held(long offset, String receipt, long deadline) {
            this.offset = offset;
            this.receipt = receipt;
            this.deadline = deadline;
        }
    }

    /** Model is what the group must look like. */
    private static final class Model {
        long next;
        long first;
        final Set<Long> finished = new HashSet<>();
        final Map<Long, Integer> deliveries = new HashMap<>();
        final Map<Long, Held> leases = new HashMap<>();
        /** due and expiry (epoch ms) of offsets published with a delay or a ttl. */
        final Map<Long, long[]> times = new HashMap<>();
        boolean anyTtl;
        final List<List<Held>> held = new ArrayList<>();
        long evictedUnfinished;

        Model() {
            for (int i = 0; i < CONSUMERS; i++) {
                held.add(new ArrayList<>());
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void groupKeepsItsPromises(long seed) {
        List<Action> actions = actions(new Random(seed));
        Fixture fx = Fixture.of("MAX_QUEUE_SIZE", Integer.toString(MAX_QUEUE_SIZE), "OVERFLOW_POLICY", "drop-oldest",
                "MAX_DELIVERIES", Integer.toString(MAX_DELIVERIES), "ACK_TIMEOUT", ACK_TIMEOUT_MS + "ms");
        try {
            run(fx, actions);
        } finally {
            fx.close();
        }
    }

    private void run(Fixture fx, List<Action> actions) {
        // Dead letters, by original offset, as they are stored (a live subscriber sees every one,
        // even those the dead letter topic's own size limit evicts later).
        Map<Long, Message> deadLetters = new ConcurrentHashMap<>();
        List<String> problems = new ArrayList<>();
        fx.router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("dlq." + TOPIC)), d -> {
            long o = Long.parseLong(d.message().headers().get("x-original-offset"));
            if (deadLetters.put(o, d.message()) != null) {
                problems.add("offset " + o + " was dead-lettered twice");
            }
        });
        fx.router.createGroup(TopicName.of(TOPIC), G,
                new GroupSettings(StartFrom.EARLIEST, Duration.ofMillis(ACK_TIMEOUT_MS), MAX_DELIVERIES));
        Model m = new Model();

        for (Action a : actions) {
            long now = fx.clock.millis();
            if (a instanceof Publish p) {
                PublishOptions options = new PublishOptions(
                        p.delayMillis() == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(p.delayMillis())),
                        p.ttlMillis() == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(p.ttlMillis())), Optional.empty());
                Fixture.join(fx.router.publish(TopicName.of(TOPIC), LongStream.range(m.next, m.next + p.count())
                        .mapToObj(o -> NewMessage.of(Long.toString(o))).toList(), options));
                if (!options.isNone()) {
                    for (long o = m.next; o < m.next + p.count(); o++) {
                        m.times.put(o, new long[] {now + p.delayMillis(), p.ttlMillis() == 0 ? Long.MAX_VALUE : now + p.ttlMillis()});
                    }
                }
                m.anyTtl |= p.ttlMillis() > 0;
                m.next += p.count();
                long newFirst = Math.max(m.first, m.next - MAX_QUEUE_SIZE);
                for (long o = m.first; o < newFirst; o++) {
                    if (!m.finished.contains(o) && !deadLetters.containsKey(o)) {
                        m.evictedUnfinished++;
                    }
                    m.leases.remove(o);
                }
                m.first = newFirst;
                assertEquals(m.first, fx.stats(TOPIC).firstOffset(), "first offset after publishing " + p.count());
            } else if (a instanceof Consume c) {
                List<Delivery> got = c.manual() ? fx.manual(TOPIC, G, c.limit()) : fx.auto(TOPIC, G, c.limit());
                assertTrue(got.size() <= c.limit(), "at most the limit");
                for (Delivery d : got) {
                    delivered(m, deadLetters, d, c.consumer(), c.manual(), fx.clock.millis());
                }
            } else if (a instanceof Ack k) {
                settle(fx, m, k.consumer(), k.pick(), now, (receipt) -> fx.ack(TOPIC, G, receipt),
                        (h) -> m.finished.add(h.offset));
            } else if (a instanceof Nack n) {
                settle(fx, m, n.consumer(), n.pick(), now,
                        (receipt) -> fx.nack(TOPIC, G, Optional.of("boom"), Duration.ofMillis(n.delayMillis()), receipt),
                        (h) -> {
                            if (m.deliveries.get(h.offset) >= MAX_DELIVERIES) {
                                assertTrue(deadLetters.containsKey(h.offset),
                                        "offset " + h.offset + " nacked on its last delivery is dead-lettered at once");
                                assertEquals("nack", deadLetters.get(h.offset).headers().get("x-dead-letter-reason"));
                            }
                        });
            } else if (a instanceof Extend e) {
                settle(fx, m, e.consumer(), e.pick(), now, (receipt) -> fx.extend(TOPIC, G, receipt),
                        (h) -> {
                            h.settled = false; // still leased, for longer
                            h.deadline = now + ACK_TIMEOUT_MS;
                            m.leases.put(h.offset, h);
                        });
            } else if (a instanceof Advance v) {
                fx.clock.advance(Duration.ofMillis(v.millis()));
                if (v.tick()) {
                    fx.router.tick();
                }
            }
            assertEquals(List.of(), problems);
        }

        // Drain: let every lease and delay run out, then take and ack whatever is left.
        fx.advance(Duration.ofHours(1));
        for (int round = 0; ; round++) {
            List<Delivery> got = fx.manual(TOPIC, G, ConsumeRequest.MAX_LIMIT);
            if (got.isEmpty()) {
                break;
            }
            assertTrue(round < 10, "the drain ends");
            long now = fx.clock.millis();
            for (Delivery d : got) {
                delivered(m, deadLetters, d, 0, true, now);
            }
            SettleResult r = fx.ack(TOPIC, G, Fixture.receipts(got));
            assertEquals(got.size(), r.settled(), "stale: " + r.stale());
            got.forEach(d -> m.finished.add(d.message().offset()));
        }

        // Every message is finished, dead-lettered or evicted, and only one of these.
        Set<Long> both = new HashSet<>(m.finished);
        both.retainAll(deadLetters.keySet());
        assertEquals(Set.of(), both, "finished and dead-lettered");
        long evicted = 0;
        long undone = 0;
        long end = fx.clock.millis();
        for (long o = 0; o < m.next; o++) {
            boolean done = m.finished.contains(o) || deadLetters.containsKey(o);
            long expires = m.times.containsKey(o) ? m.times.get(o)[1] : Long.MAX_VALUE;
            if (!done) {
                undone++;
            }
            if (o >= m.first) {
                assertTrue(done || expires <= end, "retained offset " + o + " is neither finished, dead-lettered nor expired");
            } else if (!done) {
                evicted++;
            }
        }
        TopicStats stats = fx.stats(TOPIC);
        GroupStats g = fx.groupStats(TOPIC, G);
        if (m.anyTtl) {
            // Whether an expired message was evicted before the group passed over it depends on when it looked.
            assertEquals(undone, stats.dropped() + g.expired(), "every undone message is dropped or expired, once");
        } else {
            assertEquals(m.evictedUnfinished, evicted);
            assertEquals(evicted, stats.dropped(), "evicted unfinished messages are counted as dropped");
            assertEquals(0, g.expired());
        }
        assertEquals(m.next, stats.published());

        for (Message d : deadLetters.values()) {
            assertEquals(Integer.toString(MAX_DELIVERIES), d.headers().get("x-delivery-count"));
            assertEquals(G.value(), d.headers().get("x-group"));
        }
        long deliveries = m.deliveries.values().stream().mapToLong(Integer::longValue).sum();
        long repeats = m.deliveries.values().stream().mapToLong(n -> n - 1).sum();
        assertEquals(new GroupStats(G, 0, 0, deliveries, m.finished.size(), repeats, deadLetters.size(), g.expired(),
                Optional.empty()), g);
    }

    /** delivered checks one delivery against the model and records it. */
    private static void delivered(Model m, Map<Long, Message> deadLetters, Delivery d, int consumer, boolean manual, long now) {
        long o = d.message().offset();
        assertEquals(Long.toString(o), d.message().data(), "the message of its offset");
        assertTrue(o >= m.first && o < m.next, "offset " + o + " is retained (first " + m.first + ", next " + m.next + ")");
        long[] times = m.times.get(o);
        if (times != null) {
            assertTrue(now >= times[0], "offset " + o + " is handed out at " + now + ", before it is due at " + times[0]);
            assertTrue(now < times[1], "offset " + o + " is handed out at " + now + ", after it expired at " + times[1]);
        }
        assertFalse(m.finished.contains(o), "offset " + o + " was finished and is handed out again");
        assertFalse(deadLetters.containsKey(o), "offset " + o + " was dead-lettered and is handed out again");
        Held lease = m.leases.get(o);
        if (lease != null && !lease.settled && lease.deadline > now) {
            fail("offset " + o + " is handed out while another consumer holds its lease until " + lease.deadline
                    + " (now " + now + ")");
        }
        int before = m.deliveries.getOrDefault(o, 0);
        assertTrue(before < MAX_DELIVERIES, "offset " + o + " delivered more than MAX_DELIVERIES times");
        assertEquals(before, d.retryCount(), "retryCount of offset " + o);
        m.deliveries.put(o, before + 1);
        if (manual) {
            Held h = new Held(o, Fixture.receipt(d), now + ACK_TIMEOUT_MS);
            m.leases.put(o, h);
            m.held.get(consumer).add(h);
        } else {
            assertTrue(d.receipt().isEmpty());
            m.finished.add(o);
            m.leases.remove(o);
        }
    }

    /**
     * settle settles one receipt the consumer holds and checks that it succeeded exactly if its
     * lease was live: the current lease of a retained message, not settled, not expired.
     */
    private static void settle(Fixture fx, Model m, int consumer, int pick, long now,
                               Function<String, SettleResult> call, Consumer<Held> onSettled) {
        List<Held> mine = m.held.get(consumer);
        if (mine.isEmpty()) {
            assertEquals(new SettleResult(0, List.of("0.0")), call.apply("0.0"));
            return;
        }
        Held h = mine.get(pick % mine.size());
        boolean live = m.leases.get(h.offset) == h && !h.settled && h.deadline > now && h.offset >= m.first;
        SettleResult r = call.apply(h.receipt);
        assertEquals(live ? new SettleResult(1, List.of()) : new SettleResult(0, List.of(h.receipt)), r,
                "settling offset " + h.offset + (live ? " (live lease)" : " (stale lease)"));
        if (live) {
            h.settled = true;
            m.leases.remove(h.offset);
            onSettled.accept(h);
        }
        if (h.settled || h.deadline <= now || h.offset < m.first) {
            mine.remove(h);
        }
    }

    // ---- one automatic consumer: order and exact hand-out ----

    /** AutoAction is a step of a single automatic consumer's run. */
    sealed interface AutoAction permits AutoPublish, AutoConsume {
    }

    /** AutoPublish publishes a batch. */
    record AutoPublish(int count) implements AutoAction {
    }

    /** AutoConsume consumes up to {@code limit} messages. */
    record AutoConsume(int limit) implements AutoAction {
    }

    static List<AutoAction> autoActions(Random r) {
        List<AutoAction> out = new ArrayList<>();
        int n = 1 + r.nextInt(50);
        for (int i = 0; i < n; i++) {
            out.add(r.nextBoolean() ? new AutoPublish(1 + r.nextInt(MAX_QUEUE_SIZE)) : new AutoConsume(1 + r.nextInt(12)));
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void singleAutomaticConsumerGetsEveryRetainedMessageInOrder(long seed) {
        Random r = new Random(seed);
        boolean dropOldest = r.nextBoolean();
        List<AutoAction> actions = autoActions(r);
        Fixture fx = Fixture.of("MAX_QUEUE_SIZE", Integer.toString(MAX_QUEUE_SIZE), "OVERFLOW_POLICY",
                dropOldest ? "drop-oldest" : "reject");
        try {
            fx.router.createGroup(TopicName.of(TOPIC), G, new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 5));
            long next = 0;
            long first = 0;
            long position = 0; // the next offset the consumer has not been handed
            long dropped = 0;
            List<Long> received = new ArrayList<>();
            for (AutoAction a : actions) {
                if (a instanceof AutoPublish p) {
                    long newFirst = Math.max(first, next + p.count() - MAX_QUEUE_SIZE);
                    boolean refused = !dropOldest && position < newFirst;
                    try {
                        fx.router.publish(TopicName.of(TOPIC), LongStream.range(next, next + p.count())
                                .mapToObj(o -> NewMessage.of(Long.toString(o))).toList()).toCompletableFuture().join();
                        assertFalse(refused, "a publish evicting unconsumed messages is refused under reject");
                    } catch (CompletionException e) {
                        assertTrue(refused, "refused: " + e.getCause());
                        assertEquals(ErrorCode.TOPIC_FULL, ((BrokerException) e.getCause()).code());
                        continue;
                    }
                    dropped += Math.max(0, newFirst - Math.max(position, first));
                    next += p.count();
                    first = newFirst;
                } else if (a instanceof AutoConsume c) {
                    List<Long> got = Fixture.offsets(fx.auto(TOPIC, G, c.limit()));
                    long from = Math.max(position, first);
                    List<Long> expected = LongStream.range(from, Math.min(next, from + c.limit())).boxed().toList();
                    assertEquals(expected, got);
                    received.addAll(got);
                    if (!got.isEmpty()) {
                        position = got.get(got.size() - 1) + 1;
                    }
                }
            }
            for (int i = 1; i < received.size(); i++) {
                assertTrue(received.get(i - 1) < received.get(i), "in offset order");
            }
            assertEquals(dropped, fx.stats(TOPIC).dropped());
            assertEquals(received.size(), fx.groupStats(TOPIC, G).acked());
        } finally {
            fx.close();
        }
    }
}
