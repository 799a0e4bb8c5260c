package dev.broker.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * GroupSettings is a durable consumer group to create with {@link BrokerClient#createGroup}: its
 * name, where it starts, and the lease and delivery limits that the broker's defaults
 * ({@code ACK_TIMEOUT}, {@code MAX_DELIVERIES}) give when absent. Immutable.
 */
public record GroupSettings(String group, StartFrom startFrom, Optional<Duration> ackTimeout, OptionalInt maxDeliveries) {
    public GroupSettings {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(startFrom, "startFrom");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        Objects.requireNonNull(maxDeliveries, "maxDeliveries");
    }

    /** named is a group that starts at the oldest retained message, with the broker's limits. */
    public static GroupSettings named(String group) {
        return new GroupSettings(group, StartFrom.EARLIEST, Optional.empty(), OptionalInt.empty());
    }

    /** startingFrom is these settings starting elsewhere. */
    public GroupSettings startingFrom(StartFrom from) {
        return new GroupSettings(group, from, ackTimeout, maxDeliveries);
    }

    /** withAckTimeout is these settings with another lease. */
    public GroupSettings withAckTimeout(Duration d) {
        return new GroupSettings(group, startFrom, Optional.of(d), maxDeliveries);
    }

    /** withMaxDeliveries is these settings with another delivery limit before a message is dead-lettered. */
    public GroupSettings withMaxDeliveries(int n) {
        return new GroupSettings(group, startFrom, ackTimeout, OptionalInt.of(n));
    }
}
