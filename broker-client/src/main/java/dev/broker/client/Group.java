package dev.broker.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Group is a durable consumer group as the broker holds it, and whether the call that returned it
 * created it ({@code false}: an identical group existed already).
 */
public record Group(String topic, String group, String startFrom, Duration ackTimeout, int maxDeliveries, boolean created) {
    public Group {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(startFrom, "startFrom");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
    }
}
