package dev.broker.client;

/**
 * DeliveryHandler receives a {@link Subscription}'s messages, one at a time, in the order they
 * arrived, on the subscription's own thread. A handler that throws on a manual group delivery it
 * has not settled nacks it (the exception's message is the reason); on other deliveries the
 * failure is reported as a {@link SubscriptionEvent.HandlerFailed} event.
 */
@FunctionalInterface
public interface DeliveryHandler {
    /** onMessage handles one delivery. */
    void onMessage(Delivery delivery) throws Exception;
}
