package dev.broker.api;

/**
 * MessageListener receives the messages of a broadcast subscription.
 *
 * <p>{@link #onMessage} is called for each message in offset order within a topic, never
 * concurrently for the same topic, and only after the message is stored. It runs on a broker
 * thread, so it must not block: a transport queues the message for its connection and returns.
 */
@FunctionalInterface
public interface MessageListener {
    /** onMessage hands over one message; an exception it throws is logged and ends its subscription. */
    void onMessage(Delivery delivery);
}
