package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broker.api.AckMode;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GroupSharingTest checks that WebSocket members and an HTTP-style poller of one group share its
 * messages, each message going to exactly one of them, and that a member never holds more than
 * its {@code maxInFlight}. The poller is the in-process call the HTTP transport makes for
 * {@code GET /consume/{topic}/batch?ack=manual&wait=...} (only this transport is on this module's
 * test path).
 */
class GroupSharingTest {
    private static final int MESSAGES = 600;
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of("ACK_TIMEOUT", "60s"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Member is a WebSocket member that acks each message as it arrives, recording its offsets. */
    private static final class Member implements AutoCloseable {
        final WsClient client;
        final List<Long> offsets = new CopyOnWriteArrayList<>();
        final Thread worker;
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);

        Member(String topic, String group, int maxInFlight) {
            client = broker.connect();
            client.send("type", "subscribe", "topic", topic, "group", group, "ack", "manual", "maxInFlight", maxInFlight);
            assertEquals((long) maxInFlight, client.next("subscribed").get("maxInFlight"));
            worker = new Thread(() -> {
                try {
                    while (running.get()) {
                        Map<String, Object> f = client.frames.poll(100, TimeUnit.MILLISECONDS);
                        if (f == null || "acked".equals(f.get("type"))) {
                            continue;
                        }
                        if (!"message".equals(f.get("type"))) {
                            throw new AssertionError("unexpected frame " + f);
                        }
                        offsets.add((Long) f.get("offset"));
                        client.send("type", "ack", "topic", topic, "group", group, "receipt", f.get("receipt"));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "member");
            worker.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            worker.join(TimeUnit.SECONDS.toMillis(WsClient.DEADLINE_SECONDS));
            client.close();
        }
    }

    @Test
    void webSocketMembersAndAPollerShareTheGroupEachMessageOnce() throws Exception {
        String topic = TestBroker.topic("share");
        String group = "shared";
        List<Long> polled = new CopyOnWriteArrayList<>();
        AtomicBoolean polling = new AtomicBoolean(true);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Member a = new Member(topic, group, 3); Member b = new Member(topic, group, 3)) {
            Future<?> poller = pool.submit(() -> {
                TopicName t = TopicName.of(topic);
                GroupName g = GroupName.of(group);
                while (polling.get()) {
                    List<Delivery> got = broker.broker.broker().consume(
                            new ConsumeRequest(t, g, 5, AckMode.MANUAL, Duration.ofMillis(200))).toCompletableFuture().join();
                    if (got.isEmpty()) {
                        continue;
                    }
                    got.forEach(d -> polled.add(d.message().offset()));
                    assertEquals(0, broker.broker.broker().ack(t, g, got.stream().map(d -> d.receipt().orElseThrow()).toList())
                            .toCompletableFuture().join().stale().size(), "the poller's receipts are fresh");
                }
                return null;
            });
            for (int i = 0; i < MESSAGES; i += 10) {
                String[] batch = new String[10];
                for (int j = 0; j < 10; j++) {
                    batch[j] = Integer.toString(i + j);
                }
                broker.publish(topic, batch);
            }
            awaitValue(() -> a.offsets.size() + b.offsets.size() + polled.size(), MESSAGES,
                    "every message is delivered to someone");
            polling.set(false);
            poller.get(WsClient.DEADLINE_SECONDS, TimeUnit.SECONDS);
            assertTrue(a.failures.isEmpty() && b.failures.isEmpty(), () -> a.failures + " " + b.failures);

            List<Long> all = new ArrayList<>();
            all.addAll(a.offsets);
            all.addAll(b.offsets);
            all.addAll(polled);
            Set<Long> distinct = new TreeSet<>(all);
            assertEquals(MESSAGES, all.size(), "no message is delivered twice");
            assertEquals(MESSAGES, distinct.size());
            assertEquals(0L, ((TreeSet<Long>) distinct).first());
            assertEquals(MESSAGES - 1L, ((TreeSet<Long>) distinct).last());
            assertTrue(!a.offsets.isEmpty() && !b.offsets.isEmpty() && !polled.isEmpty(),
                    "all three share the work: " + a.offsets.size() + ", " + b.offsets.size() + ", " + polled.size());
            assertEquals(0, broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().groups().get(0).lag(),
                    "every message was acked");
        } finally {
            polling.set(false);
            pool.shutdownNow();
        }
    }

    @Test
    void aMemberThatNeverAcksHoldsNoMoreThanItsMaxInFlight() throws Exception {
        String topic = TestBroker.topic("inflight");
        String group = "capped";
        try (WsClient stuck = broker.connect()) {
            stuck.send("type", "subscribe", "topic", topic, "group", group, "ack", "manual", "maxInFlight", 2);
            stuck.next("subscribed");
            String[] data = new String[20];
            for (int i = 0; i < data.length; i++) {
                data[i] = Integer.toString(i);
            }
            broker.publish(topic, data);
            List<Map<String, Object>> held = stuck.messages(2);

            // A second member takes what the first may not; once it has the other 18, all 20 are
            // accounted for, and the first got exactly its two.
            try (Member other = new Member(topic, group, 100)) {
                awaitValue(() -> other.offsets.size(), 18, "the other member gets the rest");
                assertEquals(Set.of(0L, 1L), Set.of(held.get(0).get("offset"), held.get(1).get("offset")));
                assertTrue(stuck.frames.isEmpty(), "the member holding two got nothing more: " + stuck.frames);
                assertEquals(new TreeSet<>(java.util.stream.LongStream.range(2, 20).boxed().toList()), new TreeSet<>(other.offsets));
                // Once the other member's acks are in, the group's only leases are the first member's two.
                awaitValue(() -> 20 - inFlight(topic), 18, "the group holds two leases, no more");
            }
            // The other member's leave reaches the broker after its close returns: until it has,
            // a round would still share new messages with it.
            awaitValue(() -> 2 - liveSubscribers(topic), 1, "the other member has left the group");
            // With the other member gone, acking one of the two frees one slot: one more arrives, not three.
            stuck.send("type", "ack", "topic", topic, "group", group, "receipt", held.get(0).get("receipt"));
            assertEquals(false, stuck.next("acked").get("stale"));
            broker.publish(topic, "20", "21", "22");
            assertEquals(20L, stuck.next("message").get("offset"));
            // Leases are taken before frames are sent, so by now any surplus would show.
            assertEquals(2, inFlight(topic));
            assertTrue(stuck.frames.isEmpty(), "one slot freed, one message: " + stuck.frames);
        }
    }

    private static int liveSubscribers(String topic) {
        return broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().liveSubscribers();
    }

        private static int inFlight(String topic) {
        return broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().groups().get(0).inFlight();
    }

    /** awaitTrue polls until {@code value} reaches {@code expected} and checks it did not pass it. */
    private static void awaitValue(LongSupplier value, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.DEADLINE_SECONDS);
        long now = value.getAsLong();
        while (now < expected) {
            if (System.nanoTime() > deadline) {
                fail(what + ": " + now + " of " + expected + " after " + WsClient.DEADLINE_SECONDS + " s");
            }
            Thread.sleep(10);
            now = value.getAsLong();
        }
        assertEquals(expected, now, what + ": no more than expected");
    }
}
