package dev.broker.api;

import java.util.Map;
import java.util.Objects;

/**
 * NewMessage is what a publisher hands in: data and headers, before the broker gives it an id,
 * an offset and a timestamp. Immutable.
 *
 * @param data    one JSON value as JSON text, already checked to be well-formed by the transport
 * @param headers string headers, possibly empty
 */
public record NewMessage(String data, Map<String, String> headers) {
    /** Creates a new message; the headers are copied. */
    public NewMessage {
        Objects.requireNonNull(data, "data");
        headers = headers.isEmpty() ? Map.of() : Map.copyOf(headers);
    }

    /** of makes a message without headers. */
    public static NewMessage of(String data) {
        return new NewMessage(data, Map.of());
    }
}
