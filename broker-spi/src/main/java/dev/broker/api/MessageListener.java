package dev.broker.api;

/**
 * MessageListener receives the messages of a subscription.
 *
 * <p>{@link #onMessage} is called for each message in offset order within a topic, never
 * concurrently for the same subscription and topic, and only after the message is stored. It runs
 * on a broker thread, so it must not block: a transport queues the message for its connection and
 * returns.
 */
@FunctionalInterface
public interface MessageListener {
    /** onMessage hands over one message; an exception it throws is logged and ends the subscription. */
    void onMessage(Delivery delivery);

    /**
     * capacity is how many more messages the listener can take now (a transport's free buffer).
     * The broker hands a group member, or a broadcast subscription replaying stored messages, no
     * more than this; when it rises again, the transport calls {@link Subscription#wake}. Live
     * broadcast delivery is not limited by it: a subscriber that cannot keep up with live traffic
     * is for its transport to cut off. It must be quick.
     */
    default int capacity() {
        return Integer.MAX_VALUE;
    }

    /**
     * flush ends a delivery round: the broker has handed over what it had for this listener for
     * now. A transport that batches its writes sends them here, one write for the round. Called
     * on the thread that called {@link #onMessage}; must not block.
     */
    default void flush() {
    }

    /** onTopicDeleted says a topic the subscription received from was deleted. */
    default void onTopicDeleted(TopicName topic) {
    }
}
