package dev.broker.api;

/**
 * Subscription is a live broadcast subscription. Thread-safe.
 */
public interface Subscription extends AutoCloseable {
    /** pattern is what the subscription names. */
    TopicPattern pattern();

    /**
     * close ends the subscription: no message is handed to its listener once close returns, except
     * one that is being handed over at that moment. Repeat calls do nothing.
     */
    @Override
    void close();
}
