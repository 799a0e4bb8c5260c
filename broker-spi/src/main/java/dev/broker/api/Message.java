package dev.broker.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Message is one stored message of a topic. Immutable and thread-safe.
 *
 * @param id        a UUID version 7, so ids sort by the time they were made
 * @param topic     the topic the message belongs to
 * @param offset    its position in the topic: from 0, growing by 1, never reused
 * @param timestamp when the broker accepted it, at millisecond precision
 * @param headers   string headers, unmodifiable, possibly empty
 * @param data      the JSON value exactly as the publisher sent it, as JSON text
 */
public record Message(UUID id, TopicName topic, long offset, Instant timestamp,
                      Map<String, String> headers, String data) {
    /** Creates a message; the headers are copied. */
    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(data, "data");
        headers = headers.isEmpty() ? Map.of() : Map.copyOf(headers);
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
    }
}
