package dev.broker.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Delivery is one message handed to a {@link Subscription}'s handler, with the calls that settle
 * it when the subscription is a group member with manual acknowledgement. Thread-safe: a handler
 * may settle the delivery later, on another thread.
 *
 * <p>The settle calls send one frame and return at once; the future completes with the broker's
 * answer ({@link Settled#stale()} names the receipt when its lease had expired or the connection
 * it came on has closed since). The handler may wait for that future: the subscription's queue
 * is larger than its {@code maxInFlight}, so its connection keeps reading answers (docs/client.md).
 */
public interface Delivery {
    /** message is the message delivered. */
    Message message();

    /**
     * ack finishes the message in its group.
     *
     * @throws IllegalStateException when the delivery is not a manual group delivery
     */
    CompletableFuture<Settled> ack();

    /**
     * nack hands the message back to its group for redelivery after {@code delay}, or to the
     * dead letter queue once it has been delivered {@code MAX_DELIVERIES} times; {@code reason}
     * (may be empty) becomes the dead letter's {@code x-last-error}.
     *
     * @throws IllegalStateException when the delivery is not a manual group delivery
     */
    CompletableFuture<Settled> nack(String reason, Duration delay);

    /**
     * extend renews the message's lease by the group's ack timeout.
     *
     * @throws IllegalStateException when the delivery is not a manual group delivery
     */
    CompletableFuture<Settled> extend();
}
