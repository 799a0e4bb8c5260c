package dev.broker.api;

/**
 * Subscription is a live subscription. Thread-safe.
 */
public interface Subscription extends AutoCloseable {
    /** pattern is what the subscription names. */
    TopicPattern pattern();

    /** wake tells the broker the listener has room again, so held-back messages flow. */
    void wake();

    /**
     * close ends the subscription: no message is handed to its listener once close returns, except
     * one that is being handed over at that moment. A group member's leased messages go back to
     * its group at once. Repeat calls do nothing.
     */
    @Override
    void close();
}
