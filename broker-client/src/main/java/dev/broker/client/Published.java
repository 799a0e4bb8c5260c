package dev.broker.client;

import java.util.Objects;

/**
 * Published is the broker's answer to a stored message: its id and offset in its topic. By the
 * time the client has it, the message is stored (and written to disk when the broker persists).
 */
public record Published(String id, String topic, long offset) {
    public Published {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
    }
}
