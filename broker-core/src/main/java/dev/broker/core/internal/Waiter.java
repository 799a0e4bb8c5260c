package dev.broker.core.internal;

import dev.broker.api.AckMode;
import dev.broker.api.Delivery;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waiter is a long poll: a consumer that asked for up to {@code limit} messages and waits until
 * {@code deadline} for the first. It holds no thread. Guarded by its topic's monitor, except the
 * future, which completes outside it.
 */
final class Waiter {
    final int limit;
    final AckMode ack;
    final long deadline;
    final CompletableFuture<List<Delivery>> future = new CompletableFuture<>();

    Waiter(int limit, AckMode ack, long deadline) {
        this.limit = limit;
        this.ack = ack;
        this.deadline = deadline;
    }

    /** gone tells whether the waiter was answered, timed out, or given up by its client. */
    boolean gone() {
        return future.isDone();
    }
}
