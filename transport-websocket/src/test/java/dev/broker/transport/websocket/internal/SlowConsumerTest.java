package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SlowConsumerTest checks that a broadcast subscriber that stops reading is cut off with 1008
 * once its outbound buffer overflows, and slows no one else: subscribers that read get every
 * message, in order. Nothing here measures speed; the publisher only waits for the readers so
 * that they never fall far behind.
 */
class SlowConsumerTest {
    private static final int MESSAGES = 20_000;
    private static final int BATCH = 100;
    private static final String PAYLOAD = "x".repeat(1000);
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Reader checks the message frames one client received: offsets 0, 1, 2... each once. */
    private static final class Reader {
        final WsClient client;
        long next;

        Reader(WsClient client) {
            this.client = client;
        }

        /** drainAny counts the message frames received so far, whatever their data. */
        long drainAny() {
            Map<String, Object> f;
            while ((f = client.frames.poll()) != null) {
                if ("message".equals(f.get("type"))) {
                    next++;
                }
            }
            return next;
        }

        /** drain checks every frame received so far; returns the next offset it expects. */
        long drain() {
            Map<String, Object> f;
            while ((f = client.frames.poll()) != null) {
                assertEquals("message", f.get("type"), f.toString());
                assertEquals(next, f.get("offset"), "messages arrive in order, each once");
                @SuppressWarnings("unchecked")
                Map<String, Object> data = (Map<String, Object>) f.get("data");
                assertEquals(next, data.get("n"));
                next++;
            }
            return next;
        }
    }

    private static String data(int n) {
        return "{\"n\":" + n + ",\"pad\":\"" + PAYLOAD + "\"}";
    }

    @Test
    void aBroadcastSubscriberThatStopsReadingIsCutOffAndSlowsNoOneElse() throws Exception {
        String topic = TestBroker.topic("slow");
        List<Reader> readers = new ArrayList<>();
        WsClient slow = WsClient.connectStoppingAfter(broker.ws, f -> "subscribed".equals(f.get("type")));
        try {
            slow.send("type", "subscribe", "topic", topic);
            slow.next("subscribed");
            for (int i = 0; i < 3; i++) {
                WsClient c = broker.connect();
                c.send("type", "subscribe", "topic", topic);
                c.next("subscribed");
                readers.add(new Reader(c));
            }

            for (int published = 0; published < MESSAGES; published += BATCH) {
                // Let no reader fall more than a quarter of its buffer behind.
                awaitReaders(readers, published - Connection.MAX_PENDING / 4);
                String[] batch = new String[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    batch[i] = data(published + i);
                }
                broker.publish(topic, batch);
            }
            awaitReaders(readers, MESSAGES);
            for (Reader r : readers) {
                assertEquals(MESSAGES, r.next, "no reader got more than was published");
            }
            for (Reader r : readers) {
                assertFalse(r.client.closed.isDone(), "a reader stays connected: " + r.client.closed.getNow(null));
            }

            // Read what the slow subscriber was sent before the cut, then its close frame.
            slow.resume();
            WsClient.Closed closed = slow.awaitClose();
            assertEquals(1008, closed.code(), closed.toString());
            assertTrue(closed.reason().startsWith("slow consumer"), closed.toString());
            Reader slowReader = new Reader(slow);
            long got = slowReader.drain();
            assertTrue(got < MESSAGES, "it was cut off before the end: it got " + got);
        } finally {
            slow.socket.abort();
            readers.forEach(r -> r.client.close());
        }
    }

    @Test
    void aSubscriberThatStopsReadingLargeMessagesIsCutOffByBytesLongBeforeTheFrameCount() throws Exception {
        // 100 KB messages: 16 MiB is about 170 of them, far fewer than the 4096 frames the count allows.
        String topic = TestBroker.topic("slow.bytes");
        String pad = "z".repeat(100_000);
        WsClient slow = WsClient.connectStoppingAfter(broker.ws, f -> "subscribed".equals(f.get("type")));
        try {
            slow.send("type", "subscribe", "topic", topic);
            slow.next("subscribed");
            for (int published = 0; published < 1000 && !slow.closed.isDone(); published += 50) {
                String[] batch = new String[50];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = "{\"n\":" + (published + i) + ",\"pad\":\"" + pad + "\"}";
                }
                broker.publish(topic, batch);
            }
            slow.resume();
            WsClient.Closed closed = slow.awaitClose();
            assertEquals(1008, closed.code(), closed.toString());
            assertTrue(closed.reason().contains("bytes unsent"), closed.toString());
            long got = new Reader(slow).drainAny();
            assertTrue(got < 1000 && got < Connection.MAX_PENDING, "it was cut off by bytes: it got " + got);
        } finally {
            slow.socket.abort();
        }
    }

    @Test
    void aReaderThatKeepsUpIsNotCutOffWhileReplayingAFullTopic() throws Exception {
        // A full topic at the default MAX_QUEUE_SIZE (10000) of 4 KB messages: 40 MB to replay.
        String topic = TestBroker.topic("replay");
        int stored = 10_000;
        String pad = "y".repeat(4000);
        for (int published = 0; published < stored; published += 1000) {
            String[] batch = new String[1000];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = "{\"n\":" + (published + i) + ",\"pad\":\"" + pad + "\"}";
            }
            broker.publish(topic, batch);
        }
        try (WsClient c = broker.connect()) {
            c.send("type", "subscribe", "topic", topic, "from", "earliest");
            c.next("subscribed");
            Reader r = new Reader(c);
            awaitReaders(List.of(r), stored);
            assertEquals(stored, r.next);
            assertFalse(c.closed.isDone(), "a reader that keeps up stays connected: " + c.closed.getNow(null));
        }
    }

    @Test
    void aGroupMemberGetsABacklogLargerThanItsBufferAtItsOwnPace() throws Exception {
        // Group members are handed no more than their buffer has room for, and more once it drains.
        String topic = TestBroker.topic("backlog");
        int stored = 10_000;
        String pad = "z".repeat(4000);
        for (int published = 0; published < stored; published += 1000) {
            String[] batch = new String[1000];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = "{\"n\":" + (published + i) + ",\"pad\":\"" + pad + "\"}";
            }
            broker.publish(topic, batch);
        }
        try (WsClient c = broker.connect()) {
            c.send("type", "subscribe", "topic", topic, "group", "backlog", "maxInFlight", 10_000);
            c.next("subscribed");
            Reader r = new Reader(c);
            awaitReaders(List.of(r), stored);
            assertEquals(stored, r.next);
            assertFalse(c.closed.isDone(), "a member that keeps up stays connected: " + c.closed.getNow(null));
        }
    }

    private static void awaitReaders(List<Reader> readers, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.DEADLINE_SECONDS);
        for (Reader r : readers) {
            while (r.drain() < atLeast) {
                if (System.nanoTime() > deadline || (r.client.closed.isDone() && r.client.frames.isEmpty())) {
                    fail("a reader got " + r.next + " messages, not " + atLeast + "; it was "
                            + (r.client.closed.isDone() ? "closed: " + r.client.closed.getNow(null) : "open after " + WsClient.DEADLINE_SECONDS + " s"));
                }
                Thread.sleep(1);
            }
        }
    }
}
