package dev.broker.transport.websocket.internal;

import static dev.broker.transport.websocket.internal.Json.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.TopicName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AbuseTest checks the limits that protect the broker from one client: a frame over
 * MAX_MESSAGE_SIZE plus 64 KiB closes the connection with 1009, a flood of frames with 1008.
 * Data over MAX_MESSAGE_SIZE in a frame under the limit is a bad frame, not abuse.
 */
class AbuseTest {
    private static final int MAX_MESSAGE_SIZE = 4096;
    private static final int FRAME_LIMIT = MAX_MESSAGE_SIZE + 64 * 1024;
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of("MAX_MESSAGE_SIZE", Integer.toString(MAX_MESSAGE_SIZE)));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** publishFrame is a publish frame of exactly {@code bytes} bytes whose data is one string. */
    private static String publishFrame(String topic, int bytes) {
        String empty = Json.object("type", "publish", "topic", topic, "messageId", "big", "data", "");
        return Json.object("type", "publish", "topic", topic, "messageId", "big", "data", "x".repeat(bytes - empty.length()));
    }

    @Test
    void dataOverMaxMessageSizeIsAnErrorFrameUpToTheFrameLimit() {
        String topic = TestBroker.topic("large");
        try (WsClient c = broker.connect()) {
            c.send("type", "publish", "topic", topic, "data", "x".repeat(MAX_MESSAGE_SIZE - 2), "messageId", "fits");
            assertEquals("fits", c.next("published").get("messageId"), "data of exactly MAX_MESSAGE_SIZE bytes is taken");

            c.send(publishFrame(topic, MAX_MESSAGE_SIZE + 100));
            Map<String, Object> error = c.next("error");
            assertEquals("message-too-large", error.get("code"));
            assertEquals("big", error.get("messageId"));

            String justUnder = publishFrame(topic, FRAME_LIMIT);
            assertEquals(FRAME_LIMIT, justUnder.length());
            c.send(justUnder);
            assertEquals("message-too-large", c.next("error").get("code"), "a frame at the limit is read and refused");

            c.send("type", "publish", "topic", topic, "data", raw("1"), "messageId", "after");
            assertEquals("after", c.next("published").get("messageId"));
            assertFalse(c.closed.isDone());
        }
    }

    @Test
    void aFrameOverTheLimitClosesTheConnectionWith1009() {
        String topic = TestBroker.topic("huge");
        try (WsClient c = broker.connect()) {
            c.send(publishFrame(topic, FRAME_LIMIT + 1));
            WsClient.Closed closed = c.awaitClose();
            assertEquals(1009, closed.code(), closed.toString());
        }
        try (WsClient next = broker.connect()) {
            next.send("type", "publish", "topic", topic, "data", raw("1"));
            assertEquals(0L, next.next("published").get("offset"), "the broker serves others, and stored nothing of the huge frame");
        }
    }

    @Test
    void aFloodOfFramesClosesTheConnectionWith1008AndWhatFollowsIsIgnored() throws Exception {
        // Publishes in chunks, each written in one go, no more than a few chunks ahead of the
        // answers: as fast as the server serves them, far beyond the sustained rate. Keeping little
        // unanswered lets the server's close frame out before it drops the connection.
        String topic = TestBroker.topic("flood");
        int chunk = 200;
        ByteArrayOutputStream frames = new ByteArrayOutputStream(chunk * 64);
        for (int i = 0; i < chunk; i++) {
            frames.write(RawWebSocket.textFrame(Json.object("type", "publish", "topic", topic, "data", raw("1"))));
        }
        byte[] oneChunk = frames.toByteArray();
        // A loaded machine serves fewer frames a second; the cut needs more than the sustained rate.
        long floodSeconds = 3 * WsClient.DEADLINE_SECONDS;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(floodSeconds);
        try (RawWebSocket flood = new RawWebSocket(broker.ws)) {
            long written = 0;
            while (!flood.closed.isDone()) {
                assertTrue(System.nanoTime() < deadline, "no cut after " + written + " frames in " + floodSeconds
                        + " s: the server answered " + flood.textFrames.get());
                try {
                    flood.write(oneChunk);
                } catch (IOException e) {
                    break; // the server ended the connection; its close frame says why
                }
                written += chunk;
                while (flood.textFrames.get() < written - 10 * chunk && !flood.closed.isDone() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(200_000);
                }
            }
            WsClient.Closed closed = flood.closed.get(WsClient.DEADLINE_SECONDS, TimeUnit.SECONDS);
            assertEquals(1008, closed.code(), closed.toString());
            assertTrue(closed.reason().startsWith("flood"), closed.toString());
            long answered = flood.textFrames.get();
            assertTrue(answered >= Connection.FLOOD_BURST, "the burst is served before the cut: " + answered + " replies");

            // Answer the close (the server may have ended the connection already) and wait for the
            // end: by then the server has acted on every frame it is going to.
            try {
                flood.write(RawWebSocket.closeFrame(1000));
            } catch (IOException e) {
                // already closed by the server
            }
            flood.ended.get(WsClient.DEADLINE_SECONDS, TimeUnit.SECONDS);
            long stored = broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().published();
            assertEquals(answered, stored, "frames read after the cut are not acted on");
        }
        try (WsClient next = broker.connect()) {
            next.send("type", "publish", "topic", TestBroker.topic("calm"), "data", raw("1"));
            next.next("published");
        }
    }
}
