package dev.broker.client;

import java.util.Objects;

/** TopicInfo is one line of {@code GET /topics}: a topic, how many messages it keeps, and their offsets. */
public record TopicInfo(String name, long messages, long firstOffset, long lastOffset) {
    public TopicInfo {
        Objects.requireNonNull(name, "name");
    }
}
