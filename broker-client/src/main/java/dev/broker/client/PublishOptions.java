package dev.broker.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * PublishOptions are what a publish may ask besides its messages: a delay before anyone gets them,
 * an expiry, and an idempotency key, so that a retried publish is stored once. A batch shares them.
 * See the broker's docs/scheduled-and-idempotent.md. Immutable.
 *
 * @param delay          how long after the publish the messages become due (whole milliseconds, at most the broker's MAX_DELAY)
 * @param ttl            how long after the publish a message nobody got is dropped; longer than the delay
 * @param idempotencyKey a repeat with this key within the broker's DEDUP_WINDOW stores nothing and returns the first answer
 */
public record PublishOptions(Optional<Duration> delay, Optional<Duration> ttl, Optional<String> idempotencyKey) {
    /** NONE asks for nothing. */
    public static final PublishOptions NONE = new PublishOptions(Optional.empty(), Optional.empty(), Optional.empty());

    public PublishOptions {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        delay.ifPresent(d -> requireMillis(d, "delay"));
        ttl.ifPresent(d -> requireMillis(d, "ttl"));
    }

    /** withDelay returns a copy due {@code d} after the publish. */
    public PublishOptions withDelay(Duration d) {
        return new PublishOptions(Optional.of(d), ttl, idempotencyKey);
    }

    /** withTtl returns a copy that expires {@code d} after the publish. */
    public PublishOptions withTtl(Duration d) {
        return new PublishOptions(delay, Optional.of(d), idempotencyKey);
    }

    /** withIdempotencyKey returns a copy published with this key. */
    public PublishOptions withIdempotencyKey(String key) {
        return new PublishOptions(delay, ttl, Optional.of(key));
    }

    private static void requireMillis(Duration d, String what) {
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException(what + " must be a whole, non-negative number of milliseconds: " + d);
        }
    }
}
