package dev.broker.client;

import dev.broker.client.internal.Json;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Message is one message as the broker delivered it, over HTTP or WebSocket.
 *
 * @param id         the broker's id (a UUID version 7: ids sort by time)
 * @param topic      the topic it was stored in
 * @param data       the message's JSON exactly as it was published (any JSON value, as text)
 * @param headers    its headers
 * @param timestamp  when the broker stored it
 * @param retryCount 0 on its first delivery to a group, one more on each redelivery
 * @param offset     its position in its topic
 * @param group      the group it was delivered to, absent for a broadcast or a browse
 * @param receipt    the receipt to ack, nack or extend it with, present on manual deliveries only
 */
public record Message(String id, String topic, String data, Map<String, String> headers, Instant timestamp,
                      int retryCount, long offset, Optional<String> group, Optional<String> receipt) {
    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(data, "data");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(receipt, "receipt");
    }

    /**
     * dataAs reads {@link #data} into a value of {@code type} with Jackson's default mapping
     * (records, beans, {@code Map}, {@code List}, {@code String}, numbers).
     *
     * @throws IllegalArgumentException when the data does not fit {@code type}
     */
    public <T> T dataAs(Class<T> type) {
        return Json.read(data, type);
    }
}
