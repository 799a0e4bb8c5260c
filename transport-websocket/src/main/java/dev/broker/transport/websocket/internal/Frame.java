package dev.broker.transport.websocket.internal;

import java.util.Map;
import java.util.Optional;

/**
 * Frame is one client-to-server WebSocket frame (SPEC section 5), decoded and validated. The set is
 * closed: {@link Connection} switches over it.
 */
sealed interface Frame {
    /** Publish stores one message; {@code data} is the JSON text exactly as sent. */
    record Publish(String topic, String data, Map<String, String> headers, Optional<String> messageId,
                   Optional<String> delay, Optional<String> ttl) implements Frame {
    }

    /** Subscribe starts a subscription to a topic or pattern. */
    record Subscribe(String topic, Optional<String> group, Optional<String> ack, Optional<String> from,
                     Optional<String> maxInFlight) implements Frame {
    }

    /** Unsubscribe ends a subscription. */
    record Unsubscribe(String topic, Optional<String> group) implements Frame {
    }

    /** Settle is an ack, nack or extend of a leased message. */
    record Settle(String type, String topic, Optional<String> group, Optional<String> receipt, Optional<String> reason,
                  Optional<String> delay) implements Frame {
    }
}
