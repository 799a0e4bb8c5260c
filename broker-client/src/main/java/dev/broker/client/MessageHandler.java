package dev.broker.client;

/**
 * MessageHandler handles one message of a {@link ConsumerLoop}. Returning finishes the message
 * (with manual acknowledgement the loop acks it); throwing hands it back to its group (the loop
 * nacks it, the exception's message as the reason), to be delivered again or dead-lettered.
 * Called on the loop's threads, up to its concurrency at once: a handler is thread-safe.
 */
@FunctionalInterface
public interface MessageHandler {
    /** handle handles one message. */
    void handle(Message message) throws Exception;
}
