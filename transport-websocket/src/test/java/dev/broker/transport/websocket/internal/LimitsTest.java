package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * LimitsTest meets WS_MAX_SUBSCRIPTIONS, MAX_TOPICS and MAX_GROUPS_PER_TOPIC over a real WebSocket:
 * one past each gets an {@code error} frame {@code limit-exceeded}, and the connection goes on
 * (docs/limits.md).
 */
class LimitsTest {

    @Test
    void oneSubscriptionPastTheLimitGetsAnErrorFrameAndTheRestGoOn() {
        try (TestBroker broker = TestBroker.start(Map.of("WS_MAX_SUBSCRIPTIONS", "2"));
             WsClient c = broker.connect()) {
            c.send("type", "subscribe", "topic", "limits.one");
            c.next("subscribed");
            c.send("type", "subscribe", "topic", "limits.two.>");
            c.next("subscribed");
            c.send("type", "subscribe", "topic", "limits.three");
            Map<String, Object> error = c.next("error");
            assertEquals("limit-exceeded", error.get("code"), error.toString());
            assertTrue(((String) error.get("message")).contains("WS_MAX_SUBSCRIPTIONS"), error.toString());
            c.send("type", "unsubscribe", "topic", "limits.one");
            c.next("unsubscribed");
            c.send("type", "subscribe", "topic", "limits.three");
            c.next("subscribed");
            broker.publish("limits.three", "7");
            assertEquals("limits.three", c.next("message").get("topic"));
            assertFalse(c.closed.isDone());
        }
    }

    @Test
    void aPublishThatWouldMakeATopicPastMaxTopicsGetsAnErrorFrame() {
        try (TestBroker broker = TestBroker.start(Map.of("MAX_TOPICS", "2", "MAX_GROUPS_PER_TOPIC", "1"));
             WsClient c = broker.connect()) {
            // The subscription makes the topic; it holds no message, so no delivery comes between the frames.
            c.send("type", "subscribe", "topic", "limits.a", "group", "first");
            c.next("subscribed");
            c.send("type", "subscribe", "topic", "limits.a", "group", "second");
            Map<String, Object> groups = c.next("error");
            assertEquals("limit-exceeded", groups.get("code"), groups.toString());
            c.send("type", "publish", "topic", "limits.b", "data", 1, "messageId", "b");
            c.next("published");
            c.send("type", "publish", "topic", "limits.c", "data", 1, "messageId", "c");
            Map<String, Object> topics = c.next("error");
            assertEquals("limit-exceeded", topics.get("code"), topics.toString());
            assertEquals("c", topics.get("messageId"), topics.toString());
            c.send("type", "publish", "topic", "limits.b", "data", 2, "messageId", "b2");
            assertEquals("b2", c.next("published").get("messageId"));
        }
    }
}
