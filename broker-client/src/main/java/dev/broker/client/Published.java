package dev.broker.client;

import java.util.Objects;

/**
 * Published is the broker's answer to a stored message: its id and offset in its topic. By the
 * time the client has it, the message is stored (and written to disk when the broker persists).
 * {@code replayed} says the publish repeated an idempotency key and stored nothing: the id and
 * offset are those of the first publish with the key.
 */
public record Published(String id, String topic, long offset, boolean replayed) {
    public Published {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
    }

    /** A first publish, not a replay. */
    public Published(String id, String topic, long offset) {
        this(id, topic, offset, false);
    }
}
