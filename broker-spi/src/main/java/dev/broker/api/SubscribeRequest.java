package dev.broker.api;

import java.util.Objects;
import java.util.Optional;

/**
 * SubscribeRequest asks for messages to be pushed to a listener: broadcast (no group: every
 * message) or as a member of a group (the group's messages are shared among its members).
 * Immutable.
 *
 * @param pattern     a topic or a pattern
 * @param group       the group to join; empty for a broadcast subscription
 * @param ack         automatic or manual acknowledgement (manual needs a group)
 * @param from        where to begin: for broadcast, the next message by default; for a group that
 *                    does not exist yet, where it is created (the oldest retained message by default)
 * @param maxInFlight the most unacknowledged messages a group member holds at once
 */
public record SubscribeRequest(TopicPattern pattern, Optional<GroupName> group, AckMode ack, Optional<StartFrom> from,
                               int maxInFlight) {
    /** DEFAULT_MAX_IN_FLIGHT is a member's share when it names none. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 100;

    /** Creates a request. */
    public SubscribeRequest {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(ack, "ack");
        Objects.requireNonNull(from, "from");
        if (ack == AckMode.MANUAL && group.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "manual acknowledgement needs a group");
        }
        if (maxInFlight < 1 || maxInFlight > 10_000) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "maxInFlight must be from 1 to 10000, not " + maxInFlight);
        }
    }

    /** broadcast asks for every message of matching topics from now on. */
    public static SubscribeRequest broadcast(TopicPattern pattern) {
        return new SubscribeRequest(pattern, Optional.empty(), AckMode.AUTO, Optional.empty(), DEFAULT_MAX_IN_FLIGHT);
    }
}
