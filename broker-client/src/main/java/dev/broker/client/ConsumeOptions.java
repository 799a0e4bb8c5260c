package dev.broker.client;

import java.time.Duration;
import java.util.Objects;

/**
 * ConsumeOptions is how a poll consumes: from which group ({@code default} unless named), with
 * which {@link AckMode} ({@link AckMode#AUTO} unless asked), and how long the broker may hold the
 * poll open while it has nothing (a long poll, at most 30 s; none by default). Immutable.
 */
public record ConsumeOptions(String group, AckMode ack, Duration waitTime) {
    /** MAX_WAIT is the longest long poll the broker holds. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(30);

    public ConsumeOptions {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(ack, "ack");
        Objects.requireNonNull(waitTime, "waitTime");
        if (waitTime.isNegative() || waitTime.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("a poll waits 0 to 30 s, not " + waitTime);
        }
    }

    /** defaults is the group {@code default}, auto ack, no wait. */
    public static ConsumeOptions defaults() {
        return new ConsumeOptions("default", AckMode.AUTO, Duration.ZERO);
    }

    /** inGroup is these options in another group. */
    public ConsumeOptions inGroup(String name) {
        return new ConsumeOptions(name, ack, waitTime);
    }

    /** manualAck is these options with manual acknowledgement. */
    public ConsumeOptions manualAck() {
        return new ConsumeOptions(group, AckMode.MANUAL, waitTime);
    }

    /** withAck is these options with this acknowledgement mode. */
    public ConsumeOptions withAck(AckMode mode) {
        return new ConsumeOptions(group, mode, waitTime);
    }

    /** waitingUpTo is these options as a long poll of at most {@code d}. */
    public ConsumeOptions waitingUpTo(Duration d) {
        return new ConsumeOptions(group, ack, d);
    }
}
