package dev.broker.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Delivery is a message handed to a consumer. Immutable.
 *
 * @param message    the stored message
 * @param retryCount how many times it was handed out before in this group (0 on first delivery)
 * @param group      the group it was handed out in; empty for a broadcast subscription
 * @param receipt    the receipt to ack, nack or extend it with; present only for a manual delivery
 */
public record Delivery(Message message, int retryCount, Optional<GroupName> group, Optional<String> receipt) {
    /** Creates a delivery. */
    public Delivery {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(receipt, "receipt");
        if (retryCount < 0) {
            throw new IllegalArgumentException("retryCount must not be negative: " + retryCount);
        }
    }

    /** broadcast makes the delivery of a broadcast subscription. */
    public static Delivery broadcast(Message message) {
        return new Delivery(message, 0, Optional.empty(), Optional.empty());
    }
}
