package dev.broker.core.internal;

import dev.broker.api.Message;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * Scheduled is what a message carries of its publish options, in headers the broker alone writes
 * (docs/scheduled-and-idempotent.md): when it becomes due ({@value #DELIVER_AT}), when it expires
 * ({@value #EXPIRES_AT}), and the idempotency key it was published with ({@value #IDEMPOTENCY_KEY}).
 * Headers, so that every store keeps them without a change of format, and browse and replay show
 * them. Thread-safe: no state.
 */
final class Scheduled {
    static final String DELIVER_AT = "x-deliver-at";
    static final String EXPIRES_AT = "x-expires-at";
    static final String IDEMPOTENCY_KEY = "x-idempotency-key";
    /** HEADERS are the three; a dead letter or a redriven message carries none of them. */
    static final Set<String> HEADERS = Set.of(DELIVER_AT, EXPIRES_AT, IDEMPOTENCY_KEY);

    private Scheduled() {
    }

    /** dueAt is when the message becomes due (epoch ms), or 0 if it was due at once. */
    static long dueAt(Message m) {
        return m.headers().isEmpty() ? 0 : time(m.headers(), DELIVER_AT, 0);
    }

    /** expiresAt is when the message expires (epoch ms), or Long.MAX_VALUE if never. */
    static long expiresAt(Message m) {
        return m.headers().isEmpty() ? Long.MAX_VALUE : time(m.headers(), EXPIRES_AT, Long.MAX_VALUE);
    }

    /** pending says the message is not due at {@code now}. */
    static boolean pending(Message m, long now) {
        return dueAt(m) > now;
    }

    /** expired says the message has expired at {@code now}. */
    static boolean expired(Message m, long now) {
        return expiresAt(m) <= now;
    }

    private static long time(Map<String, String> headers, String name, long otherwise) {
        String text = headers.get(name);
        if (text == null) {
            return otherwise;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            return otherwise; // written by the broker alone, so never malformed; a hand-edited store is not trusted
        }
    }
}
