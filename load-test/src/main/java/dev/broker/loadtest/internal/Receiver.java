package dev.broker.loadtest.internal;

/**
 * Receiver takes the run's messages from the broker and reports each to the {@link Accounting}:
 * a member of the consumer group (over HTTP or WebSocket) or a broadcast WebSocket subscriber.
 */
interface Receiver {
    /** start begins receiving; it returns once the broker has accepted the subscription, if there is one. */
    void start() throws SetupException;

    /** stop stops receiving and lets go of the connection; messages after it are not counted. Called once. */
    void stop() throws InterruptedException;
}
