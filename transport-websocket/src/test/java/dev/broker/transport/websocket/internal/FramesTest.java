package dev.broker.transport.websocket.internal;

import static dev.broker.transport.websocket.internal.Json.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.TopicName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FramesTest sends every client frame of SPEC section 5 to a broker on a free port, good and bad,
 * and checks the frames that come back: publish, subscribe (topic and pattern, broadcast and
 * replay), unsubscribe, topic deletion and the error frames, after which the connection lives on.
 */
class FramesTest {
    private static final String UUID_V7 = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    private static final String RFC3339_MILLIS_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    // ---- publish ------------------------------------------------------------------------------

    @Test
    void publishIsAnsweredWithTheStoredMessageAndTheClientsMessageId() {
        String topic = TestBroker.topic("pub");
        try (WsClient c = broker.connect()) {
            Instant before = Instant.now().minusMillis(1);
            c.send("type", "publish", "topic", topic, "data", raw("{\"userId\":123}"), "messageId", "c-1",
                    "headers", Map.of("source", "auth-service"));
            Map<String, Object> published = c.next("published");
            assertEquals("c-1", published.get("messageId"));
            assertEquals(topic, published.get("topic"));
            assertEquals(0L, published.get("offset"));
            assertTrue(((String) published.get("id")).matches(UUID_V7), published.toString());
            String timestamp = (String) published.get("timestamp");
            assertTrue(timestamp.matches(RFC3339_MILLIS_UTC), timestamp);
            assertFalse(Instant.parse(timestamp).isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), timestamp);

            c.send("type", "publish", "topic", topic, "data", raw("2"));
            Map<String, Object> second = c.next("published");
            assertFalse(second.containsKey("messageId"), "no messageId was sent, none is echoed: " + second);
            assertEquals(1L, second.get("offset"));
            assertTrue(((String) second.get("id")).compareTo((String) published.get("id")) > 0, "ids sort by time");
        }
        List<dev.broker.api.Message> stored = broker.broker.admin().browse(TopicName.of(topic), 0, 10);
        assertEquals(2, stored.size());
        assertEquals("{\"userId\":123}", stored.get(0).data());
        // The messageId is the publish's idempotency key, kept with the message (docs/scheduled-and-idempotent.md).
        assertEquals(Map.of("source", "auth-service", "x-idempotency-key", "c-1"), stored.get(0).headers());
        assertEquals(Map.of(), stored.get(1).headers());
    }

    @Test
    void seedFrameWithItsOwnTimestampIsStoredWithTheBrokersTime() {
        String topic = TestBroker.topic("seed");
        try (WsClient c = broker.connect()) {
            c.send("type", "publish", "topic", topic, "data", raw("{\"userId\":123,\"action\":\"login\"}"),
                    "messageId", "550e8400-e29b-41d4-a716-446655440000", "timestamp", "2023-01-01T00:00:00Z");
            Map<String, Object> published = c.next("published");
            assertEquals("550e8400-e29b-41d4-a716-446655440000", published.get("messageId"));
            assertTrue(Instant.parse((String) published.get("timestamp")).isAfter(Instant.parse("2025-01-01T00:00:00Z")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"userId\":123,\"tags\":[\"a\",\"b\"],\"geo\":{\"lat\":1.5,\"ok\":true,\"n\":null}}",
            "42", "-0.5e3", "\"plain text\"", "[1,\"two\",[3]]", "true", "null", "\"\\u00e9\\ud83d\\ude00\""})
    void anyJsonValueIsDeliveredAsPublished(String data) {
        String topic = TestBroker.topic("data");
        try (WsClient sub = broker.connect(); WsClient pub = broker.connect()) {
            sub.send("type", "subscribe", "topic", topic);
            sub.next("subscribed");
            pub.send("type", "publish", "topic", topic, "data", raw(data));
            pub.next("published");
            Map<String, Object> m = sub.next("message");
            assertEquals(Json.parse(data), m.get("data"));
            assertEquals(data, broker.broker.admin().browse(TopicName.of(topic), 0, 1).get(0).data(),
                    "the broker keeps data exactly as received");
        }
    }

    static Stream<Arguments> badFrames() {
        return Stream.of(
                Arguments.of("invalid topic", "{\"type\":\"publish\",\"topic\":\"a..b\",\"data\":1,\"messageId\":\"m\"}", "invalid-topic", "m"),
                Arguments.of("pattern *", "{\"type\":\"publish\",\"topic\":\"a.*\",\"data\":1,\"messageId\":\"m\"}", "invalid-topic", "m"),
                Arguments.of("pattern >", "{\"type\":\"publish\",\"topic\":\"a.>\",\"data\":1,\"messageId\":\"m\"}", "invalid-topic", "m"),
                Arguments.of("dead letter topic", "{\"type\":\"publish\",\"topic\":\"dlq.orders\",\"data\":1,\"messageId\":\"m\"}", "reserved-topic", "m"),
                Arguments.of("no data", "{\"type\":\"publish\",\"topic\":\"orders\",\"messageId\":\"m\"}", "invalid-frame", "m"),
                Arguments.of("no topic", "{\"type\":\"publish\",\"data\":1,\"messageId\":\"m\"}", "invalid-frame", "m"),
                Arguments.of("no type", "{\"topic\":\"orders\",\"data\":1,\"messageId\":\"m\"}", "invalid-frame", "m"),
                Arguments.of("unknown type", "{\"type\":\"shout\",\"topic\":\"orders\",\"messageId\":\"m\"}", "invalid-frame", "m"),
                Arguments.of("type not a string", "{\"type\":{\"x\":1},\"topic\":\"orders\",\"messageId\":\"m\"}", "invalid-frame", "m"),
                Arguments.of("headers not an object", "{\"type\":\"publish\",\"topic\":\"orders\",\"data\":1,\"headers\":[1],\"messageId\":\"m\"}", "invalid-header", "m"),
                Arguments.of("header not a string", "{\"type\":\"publish\",\"topic\":\"orders\",\"data\":1,\"headers\":{\"n\":1},\"messageId\":\"m\"}", "invalid-header", "m"),
                Arguments.of("a header the broker writes", "{\"type\":\"publish\",\"topic\":\"orders\",\"data\":1,\"headers\":{\"x-redrive-group\":\"g\"},\"messageId\":\"m\"}", "invalid-header", "m"),
                Arguments.of("not JSON", "not json", "invalid-json", null),
                Arguments.of("truncated JSON", "{\"type\":\"publish\",\"topic\":\"orders\",\"data\":{", "invalid-json", null),
                Arguments.of("not an object", "[{\"type\":\"publish\"}]", "invalid-json", null),
                Arguments.of("two objects", "{\"type\":\"publish\",\"topic\":\"orders\",\"data\":1} {}", "invalid-json", null),
                Arguments.of("empty", "", "invalid-json", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void badFrameGetsAnErrorFrameAndTheConnectionLivesOn(String name, String frame, String code, String messageId) {
        try (WsClient c = broker.connect()) {
            c.send(frame);
            Map<String, Object> error = c.next("error");
            assertEquals(code, error.get("code"), error.toString());
            assertEquals(messageId, error.get("messageId"), error.toString());
            assertTrue(error.get("message") instanceof String s && !s.isBlank(), "the error says why: " + error);

            String topic = TestBroker.topic("after");
            c.send("type", "publish", "topic", topic, "data", raw("1"), "messageId", "after");
            Map<String, Object> ok = c.next("published");
            assertEquals("after", ok.get("messageId"));
            assertFalse(c.closed.isDone(), "a bad frame must not close the connection");
        }
        assertTrue(broker.broker.admin().topics().stream().noneMatch(t -> t.name().value().equals("dlq.orders")),
                "nothing was written to the reserved topic");
    }

    // ---- subscribe ----------------------------------------------------------------------------

    @Test
    void broadcastSubscriberGetsEveryMessageFromNowOnWithEveryField() {
        String topic = TestBroker.topic("bcast");
        try (WsClient sub = broker.connect(); WsClient pub = broker.connect()) {
            broker.publish(topic, "\"before\"");
            sub.send("type", "subscribe", "topic", topic);
            assertEquals(Map.of("type", "subscribed", "topic", topic, "ack", "auto"), sub.next("subscribed"));

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pub.send("type", "publish", "topic", topic, "data", raw("{\"n\":" + i + "}"), "headers", Map.of("source", "test"));
                ids.add((String) pub.next("published").get("id"));
            }
            List<Map<String, Object>> got = sub.messages(3);
            for (int i = 0; i < 3; i++) {
                Map<String, Object> m = got.get(i);
                assertEquals(topic, m.get("subscription"));
                assertEquals(ids.get(i), m.get("id"));
                assertEquals(topic, m.get("topic"));
                assertEquals(Map.of("n", (long) i), m.get("data"));
                assertEquals(Map.of("source", "test"), m.get("headers"));
                assertTrue(((String) m.get("timestamp")).matches(RFC3339_MILLIS_UTC), m.toString());
                assertEquals(0L, m.get("retryCount"));
                assertEquals(i + 1L, m.get("offset"), "the message stored before the subscription is not sent");
                assertFalse(m.containsKey("receipt") || m.containsKey("group"), "a broadcast delivery has no receipt: " + m);
            }
            assertTrue(pub.frames.isEmpty(), "a connection that did not subscribe gets no messages: " + pub.frames);
        }
    }

    @Test
    void patternsMatchSegmentsAsSpecified() {
        String base = TestBroker.topic("pat");
        try (WsClient star = broker.connect(); WsClient tail = broker.connect()) {
            star.send("type", "subscribe", "topic", base + ".*");
            assertEquals(base + ".*", star.next("subscribed").get("topic"));
            tail.send("type", "subscribe", "topic", base + ".>");
            assertEquals(base + ".>", tail.next("subscribed").get("topic"));

            for (String t : List.of(base, base + ".x", base + ".x.y", base + "x.y", "other." + base, base + ".end")) {
                broker.publish(t, "\"" + t + "\"");
            }
            // Order is kept within a topic, not across the topics of a pattern (docs/delivery.md): take
            // as many messages as should match and compare them as sets; one that should not have
            // matched takes the place of one that should.
            assertEquals(List.of(base + ".end", base + ".x"), topics(star, 2, base + ".*"));
            assertEquals(List.of(base + ".end", base + ".x", base + ".x.y"), topics(tail, 3, base + ".>"));
        }
    }

    /** topics takes {@code count} messages of a subscription and lists their topics, sorted. */
    private static List<String> topics(WsClient c, int count, String subscription) {
        List<String> topics = new ArrayList<>();
        while (topics.size() < count) {
            Map<String, Object> m = c.next("message");
            assertEquals(subscription, m.get("subscription"));
            assertEquals(m.get("topic"), m.get("data"));
            topics.add((String) m.get("topic"));
        }
        java.util.Collections.sort(topics);
        return topics;
    }

    @Test
    void unsubscribeStopsMessagesAndUnknownSubscriptionIsAnError() {
        String topic = TestBroker.topic("unsub");
        String marker = TestBroker.topic("marker");
        try (WsClient c = broker.connect()) {
            c.send("type", "subscribe", "topic", topic);
            c.next("subscribed");
            c.send("type", "subscribe", "topic", marker);
            c.next("subscribed");
            broker.publish(topic, "1");
            assertEquals(1L, c.next("message").get("data"));

            c.send("type", "unsubscribe", "topic", topic);
            assertEquals(Map.of("type", "unsubscribed", "topic", topic), c.next("unsubscribed"));
            broker.publish(topic, "2");
            broker.publish(marker, "3");
            Map<String, Object> next = c.next("message");
            assertEquals(marker, next.get("topic"), "nothing of the unsubscribed topic arrives: " + next);

            c.send("type", "unsubscribe", "topic", topic);
            Map<String, Object> error = c.next("error");
            assertEquals("not-subscribed", error.get("code"));
            c.send("type", "unsubscribe", "topic", marker, "group", "g1");
            assertEquals("not-subscribed", c.next("error").get("code"), "a broadcast subscription is not a group one");
            c.send("type", "unsubscribe", "topic", "never.subscribed");
            assertEquals("not-subscribed", c.next("error").get("code"));

            broker.publish(marker, "4");
            assertEquals(4L, c.next("message").get("data"), "the connection still works");
        }
    }

    static Stream<Arguments> badSubscriptions() {
        return Stream.of(
                Arguments.of("invalid pattern", new Object[] {"topic", "a..b"}, "invalid-topic"),
                Arguments.of("wildcard inside a segment", new Object[] {"topic", "a.b*"}, "invalid-topic"),
                Arguments.of("> not last", new Object[] {"topic", "a.>.b"}, "invalid-topic"),
                Arguments.of("manual without group", new Object[] {"topic", "ok", "ack", "manual"}, "invalid-parameter"),
                Arguments.of("unknown ack mode", new Object[] {"topic", "ok", "group", "g", "ack", "sometimes"}, "invalid-parameter"),
                Arguments.of("bad from", new Object[] {"topic", "ok", "from", "yesterday"}, "invalid-parameter"),
                Arguments.of("negative from", new Object[] {"topic", "ok", "from", "-1"}, "invalid-parameter"),
                Arguments.of("maxInFlight not a number", new Object[] {"topic", "ok", "group", "g", "maxInFlight", "lots"}, "invalid-parameter"),
                Arguments.of("maxInFlight zero", new Object[] {"topic", "ok", "group", "g", "maxInFlight", 0}, "invalid-parameter"),
                Arguments.of("invalid group", new Object[] {"topic", "ok", "group", "no spaces!"}, "invalid-group"),
                Arguments.of("no topic", new Object[] {"group", "g"}, "invalid-frame"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSubscriptions")
    void badSubscribeGetsAnErrorFrameAndSubscribingStillWorks(String name, Object[] fields, String code) {
        String topic = TestBroker.topic("badsub");
        try (WsClient c = broker.connect()) {
            Object[] frame = new Object[fields.length + 2];
            frame[0] = "type";
            frame[1] = "subscribe";
            System.arraycopy(fields, 0, frame, 2, fields.length);
            c.send(frame);
            Map<String, Object> error = c.next("error");
            assertEquals(code, error.get("code"), error.toString());

            c.send("type", "subscribe", "topic", topic);
            c.next("subscribed");
            broker.publish(topic, "1");
            assertEquals(1L, c.next("message").get("data"));
        }
    }

    // ---- replay -------------------------------------------------------------------------------

    @Test
    void fromEarliestReplaysThenContinuesLiveWithoutGapsOrDuplicates() throws Exception {
        String topic = TestBroker.topic("replay");
        for (int i = 0; i < 300; i++) {
            broker.publish(topic, Integer.toString(i));
        }
        try (WsClient c = broker.connect()) {
            // Messages are published while the subscriber replays, to cross the replay-to-live hand-over.
            CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
                for (int i = 300; i < 600; i++) {
                    broker.publish(topic, Integer.toString(i));
                }
            });
            c.send("type", "subscribe", "topic", topic, "from", "earliest");
            assertEquals("subscribed", c.next().get("type"), "the subscription is confirmed before any message");
            publisher.get();
            assertOffsets(c, 0, 600);
            broker.publish(topic, "600", "601");
            assertOffsets(c, 600, 602);
        }
    }

    @Test
    void fromAnOffsetStartsThere() {
        String topic = TestBroker.topic("offset");
        for (int i = 0; i < 20; i++) {
            broker.publish(topic, Integer.toString(i));
        }
        try (WsClient c = broker.connect()) {
            c.send("type", "subscribe", "topic", topic, "from", "7");
            assertEquals("subscribed", c.next().get("type"), "the subscription is confirmed before any message");
            assertOffsets(c, 7, 20);
            broker.publish(topic, "20");
            assertOffsets(c, 20, 21);
        }
    }

    @Test
    void fromLatestAndFromAnOffsetPastTheEndWaitForNewMessages() {
        String topic = TestBroker.topic("latest");
        broker.publish(topic, "0", "1");
        try (WsClient latest = broker.connect(); WsClient ahead = broker.connect()) {
            latest.send("type", "subscribe", "topic", topic, "from", "latest");
            latest.next("subscribed");
            ahead.send("type", "subscribe", "topic", topic, "from", "1000");
            ahead.next("subscribed");
            broker.publish(topic, "2");
            assertOffsets(latest, 2, 3);
            assertOffsets(ahead, 2, 3);
        }
    }

    @Test
    void newGroupFromAnOffsetStartsThere() {
        String topic = TestBroker.topic("groupfrom");
        for (int i = 0; i < 10; i++) {
            broker.publish(topic, Integer.toString(i));
        }
        try (WsClient c = broker.connect()) {
            c.send("type", "subscribe", "topic", topic, "group", "from-five", "from", "5");
            Map<String, Object> subscribed = c.next();
            assertEquals("subscribed", subscribed.get("type"), "the subscription is confirmed before any message");
            assertEquals("from-five", subscribed.get("group"));
            assertEquals("auto", subscribed.get("ack"));
            assertEquals(100L, subscribed.get("maxInFlight"));
            for (long offset = 5; offset < 10; offset++) {
                Map<String, Object> m = c.next("message");
                assertEquals(offset, m.get("offset"));
                assertEquals("from-five", m.get("group"));
                assertFalse(m.containsKey("receipt"), "an automatic delivery has no receipt: " + m);
            }
        }
    }

    private static void assertOffsets(WsClient c, long from, long to) {
        for (long expected = from; expected < to; expected++) {
            Map<String, Object> m = c.next("message");
            assertEquals(expected, m.get("offset"), "offsets arrive in order, each once");
            assertEquals(expected, m.get("data"));
        }
    }

    // ---- deletion -----------------------------------------------------------------------------

    @Test
    void deletingATopicSendsTopicDeletedToEverySubscription() {
        String base = TestBroker.topic("del");
        String topic = base + ".orders";
        try (WsClient exact = broker.connect(); WsClient pattern = broker.connect(); WsClient member = broker.connect()) {
            exact.send("type", "subscribe", "topic", topic);
            exact.next("subscribed");
            pattern.send("type", "subscribe", "topic", base + ".>");
            pattern.next("subscribed");
            member.send("type", "subscribe", "topic", topic, "group", "workers", "ack", "manual");
            member.next("subscribed");
            broker.publish(topic, "1");
            exact.next("message");
            pattern.next("message");
            member.next("message");

            assertTrue(broker.broker.admin().delete(TopicName.of(topic)));
            assertEquals(Map.of("type", "topic-deleted", "topic", topic, "subscription", topic), exact.next("topic-deleted"));
            assertEquals(Map.of("type", "topic-deleted", "topic", topic, "subscription", base + ".>"), pattern.next("topic-deleted"));
            assertEquals(Map.of("type", "topic-deleted", "topic", topic, "subscription", topic), member.next("topic-deleted"));
            assertFalse(exact.closed.isDone() || pattern.closed.isDone() || member.closed.isDone(),
                    "deleting a topic does not close connections");
        }
    }
}
