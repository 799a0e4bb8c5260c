package dev.broker.api;

import java.time.Duration;
import java.util.Objects;

/**
 * GroupSettings are a consumer group's durable settings. Immutable.
 *
 * @param startFrom     where the group began when it was created
 * @param ackTimeout    how long a manual delivery is leased
 * @param maxDeliveries deliveries of one message before it is dead-lettered
 */
public record GroupSettings(StartFrom startFrom, Duration ackTimeout, int maxDeliveries) {
    /** Creates settings. */
    public GroupSettings {
        Objects.requireNonNull(startFrom, "startFrom");
        if (ackTimeout == null || ackTimeout.toMillis() < 1 || ackTimeout.compareTo(Duration.ofHours(12)) > 0) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "ackTimeout must be from 1ms to 12h");
        }
        if (maxDeliveries < 1 || maxDeliveries > 1000) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "maxDeliveries must be from 1 to 1000, not " + maxDeliveries);
        }
    }
}
