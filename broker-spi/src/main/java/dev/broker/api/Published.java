package dev.broker.api;

import java.util.List;

/**
 * Published is the answer to a publish. Immutable.
 *
 * @param messages the stored messages with their ids, offsets and timestamps, in batch order
 * @param replayed true when the publish repeated an idempotency key within its window: nothing was
 *                 stored, and {@code messages} are those the first publish with the key stored
 */
public record Published(List<Message> messages, boolean replayed) {
    public Published {
        messages = List.copyOf(messages);
    }
}
