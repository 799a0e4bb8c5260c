package dev.broker.api;

import java.util.Objects;

/**
 * Delivery is a message handed to a consumer. Immutable.
 *
 * @param message    the stored message
 * @param retryCount how many times it was handed out before in this group (0 on first delivery)
 */
public record Delivery(Message message, int retryCount) {
    /** Creates a delivery. */
    public Delivery {
        Objects.requireNonNull(message, "message");
        if (retryCount < 0) {
            throw new IllegalArgumentException("retryCount must not be negative: " + retryCount);
        }
    }
}
