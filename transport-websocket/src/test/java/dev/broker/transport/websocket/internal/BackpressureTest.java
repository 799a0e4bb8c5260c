package dev.broker.transport.websocket.internal;

import static dev.broker.transport.websocket.internal.Json.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.TopicName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BackpressureTest checks that a client sending faster than the broker stores, or reading its
 * answers slower than it sends, is slowed down and never cut off or answered twice
 * (docs/websocket.md): the broker stops reading a connection's frames while
 * {@code WS_MAX_UNANSWERED} of them wait for their reply, and an operator's
 * {@code WS_RATE_LIMIT} slows a connection to that rate.
 */
class BackpressureTest {
    @TempDir
    Path dataDir;

    /** frames encodes {@code count} publish frames with message ids {@code m<first>...}. */
    private static byte[] publishFrames(String topic, int first, int count, int padding) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * (96 + padding));
        String pad = "x".repeat(padding);
        for (int i = first; i < first + count; i++) {
            out.writeBytes(RawWebSocket.textFrame(Json.object("type", "publish", "topic", topic, "messageId", "m" + i,
                    "data", raw("{\"n\":" + i + ",\"p\":\"" + pad + "\"}"))));
        }
        return out.toByteArray();
    }

    @Test
    void aPublisherThatNeitherWaitsNorReadsLosesNothingAndStaysConnected() throws Exception {
        // Far more than the socket buffers on both sides hold, as publishes (2 KB each) and as
        // replies: a broker that read them all while the client reads nothing would have to
        // queue tens of thousands of replies, one with backpressure stops reading and lets TCP
        // hold the client back.
        // A reply is about 150 bytes; the kernel may hold up to its largest send buffer of them.
        int messages = Math.max(40_000, (int) Math.min(1_000_000, 2 * largestSendBuffer() / 150));
        int chunk = 500;
        try (TestBroker broker = TestBroker.start(Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", dataDir.toString(),
                "WS_MAX_UNANSWERED", "64"));
             RawWebSocket client = new RawWebSocket(broker.ws, true, true)) {
            String topic = TestBroker.topic("fast");
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < messages; i += chunk) {
                        client.write(publishFrames(topic, i, chunk, 2000));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // The writer runs ahead while nothing is read, until the broker stops reading: then what
            // it stored stays put, and the writer is held back. The broker has answered as much as
            // the socket buffers hold (a few MB), and no more.
            TopicName name = TopicName.of(topic);
            long stored = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && !client.closed.isDone()) {
                LockSupport.parkNanos(300_000_000);
                long now = broker.broker.admin().stats(name).map(t -> t.published()).orElse(0L);
                if (now > 0 && now == stored) {
                    break;
                }
                stored = now;
            }
            assertFalse(client.closed.isDone(), "the broker closed the connection: " + client.closed.getNow(null));
            assertFalse(written.isDone(), "the writer was never held back");
            assertTrue(stored < messages, "while the client read nothing the broker read and stored all " + stored);
            client.startReading();
            written.get(60, TimeUnit.SECONDS);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (client.textFrames.get() < messages && !client.closed.isDone() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000);
            }
            assertFalse(client.closed.isDone(), "the broker closed the connection: " + client.closed.getNow(null));
            assertEquals(messages, client.textFrames.get(), "every publish is answered once");

            Set<String> ids = new HashSet<>();
            Set<Long> offsets = new HashSet<>();
            for (String text : client.texts) {
                Map<String, Object> reply = Json.parseObject(text);
                assertEquals("published", reply.get("type"), text);
                assertTrue(ids.add((String) reply.get("messageId")), "answered twice: " + text);
                assertTrue(offsets.add((Long) reply.get("offset")), "offset given twice: " + text);
            }
            assertEquals(messages, ids.size());
            for (long o = 0; o < messages; o++) {
                assertTrue(offsets.contains(o), "no publish got offset " + o);
            }
            assertEquals(messages, broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().published(),
                    "every answered publish is stored, nothing else");
        }
    }

    /** largestSendBuffer is the most a TCP send buffer may grow to here (Linux's tcp_wmem), else 4 MiB. */
    private static long largestSendBuffer() {
        try {
            String[] fields = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Long.parseLong(fields[fields.length - 1]);
        } catch (IOException | RuntimeException e) {
            return 4L << 20;
        }
    }

        @Test
    void aRateLimitSlowsAFastClientInsteadOfClosingIt() throws Exception {
        int rate = 500;
        int messages = 3 * rate;
        try (TestBroker broker = TestBroker.start(Map.of("WS_RATE_LIMIT", Integer.toString(rate)));
             RawWebSocket client = new RawWebSocket(broker.ws, false, false)) {
            String topic = TestBroker.topic("limited");
            long began = System.nanoTime();
            client.write(publishFrames(topic, 0, messages, 0));
            long deadline = began + TimeUnit.SECONDS.toNanos(30);
            while (client.textFrames.get() < messages && !client.closed.isDone() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(5_000_000);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            assertFalse(client.closed.isDone(), "the broker closed the connection: " + client.closed.getNow(null));
            assertEquals(messages, client.textFrames.get(), "every publish is answered");
            // A burst of one second's worth, then the rate: at least two seconds for three seconds' worth.
            assertTrue(seconds >= 1.8, messages + " frames at " + rate + "/s took only " + seconds + " s");
            assertEquals(messages, broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().published());
        }
    }
}
