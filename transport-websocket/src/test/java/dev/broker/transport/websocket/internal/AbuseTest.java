package dev.broker.transport.websocket.internal;

import static dev.broker.transport.websocket.internal.Json.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AbuseTest checks the limits that protect the broker from one client: a frame over
 * MAX_MESSAGE_SIZE plus 64 KiB closes the connection with 1009. Data over MAX_MESSAGE_SIZE in a
 * frame under the limit is a bad frame, not abuse. A fast client is slowed, not cut off: see
 * BackpressureTest.
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
    void aMessageInSeveralFramesIsOneMessageAndOneNotUtf8Closes1007() throws Exception {
        String topic = TestBroker.topic("frag");
        byte[] whole = Json.object("type", "publish", "topic", topic, "data", raw("{\"s\":\"d\u00e9j\u00e0 \ud83c\udf89\"}"),
                "messageId", "in-three").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int a = 10;
        int b = whole.length - 3; // inside the emoji's four bytes: frames split characters too
        try (RawWebSocket client = new RawWebSocket(broker.ws, true, true)) {
            java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
            frames.writeBytes(RawWebSocket.frame(0x01, java.util.Arrays.copyOfRange(whole, 0, a)));
            frames.writeBytes(RawWebSocket.frame(0x00, java.util.Arrays.copyOfRange(whole, a, b)));
            frames.writeBytes(RawWebSocket.frame(0x80, java.util.Arrays.copyOfRange(whole, b, whole.length)));
            client.write(frames.toByteArray());
            client.startReading();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (client.texts.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            String reply = client.texts.poll();
            assertTrue(reply != null && reply.contains("\"published\"") && reply.contains("in-three"), String.valueOf(reply));
            client.write(RawWebSocket.frame(0x81, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
            assertEquals(1007, client.closed.get(10, java.util.concurrent.TimeUnit.SECONDS).code());
        }
        assertEquals(List.of("{\"s\":\"d\u00e9j\u00e0 \ud83c\udf89\"}"),
                broker.broker.admin().browse(dev.broker.api.TopicName.of(topic), 0, 10).stream().map(m -> m.data()).toList());
    }
}
