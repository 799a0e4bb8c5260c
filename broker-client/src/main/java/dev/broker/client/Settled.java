package dev.broker.client;

import java.util.List;

/**
 * Settled is the broker's answer to an ack, nack or extend: how many receipts it settled and which
 * were stale (their lease had expired, or the message had been handed to another consumer): a
 * stale receipt changed nothing, and its message will be, or has been, delivered again.
 */
public record Settled(int count, List<String> stale) {
    public Settled {
        stale = List.copyOf(stale);
    }
}
