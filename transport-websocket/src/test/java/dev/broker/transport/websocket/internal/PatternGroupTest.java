package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * PatternGroupTest: one subscribe to {@code >} in a new group, then a disconnect, must not make
 * every full topic refuse publishes under OVERFLOW_POLICY=reject; a group used by a topic's own
 * name still holds that topic back (docs/decisions/0006-groups-and-dead-letters.md).
 */
class PatternGroupTest {
    @Test
    void aWildcardGroupNobodyReadsDoesNotStopPublishers() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of("MAX_QUEUE_SIZE", "5", "OVERFLOW_POLICY", "reject"))) {
            String a = TestBroker.topic("pin");
            String b = TestBroker.topic("pin");
            broker.publish(a, "0");
            broker.publish(b, "0");
            try (WsClient c = broker.connect()) {
                c.send("type", "subscribe", "topic", ">", "group", "everything", "ack", "manual", "maxInFlight", "1");
                c.next("subscribed");
            }
            try (WsClient c = broker.connect()) {
                c.send("type", "subscribe", "topic", b, "group", "named", "ack", "manual", "maxInFlight", "1");
                c.next("subscribed");
            }
            for (int i = 1; i <= 20; i++) {
                broker.publish(a, Integer.toString(i)); // never 429: nothing but the wildcard group holds it
            }
            TopicStats stats = broker.broker.admin().stats(TopicName.of(a)).orElseThrow();
            assertEquals(5, stats.messages());
            assertTrue(stats.dropped() >= 15, "what the wildcard group had not read is dropped for it: " + stats.dropped());

            for (int i = 1; i <= 4; i++) {
                broker.publish(b, Integer.toString(i));
            }
            CompletionException full = assertThrows(CompletionException.class, () -> broker.publish(b, "5"));
            assertTrue(full.getCause() instanceof BrokerException e && e.code() == ErrorCode.TOPIC_FULL, full.toString());
        }
    }
}
