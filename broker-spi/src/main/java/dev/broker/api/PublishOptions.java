package dev.broker.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * PublishOptions are what a publisher may ask of a publish besides its messages: a delay before
 * anyone may be handed them, an expiry, and an idempotency key (docs/scheduled-and-idempotent.md).
 * A batch shares them. Immutable.
 *
 * @param delay          how long after the publish the messages become due; empty for at once
 * @param ttl            how long after the publish a message not yet handed out is dropped instead; empty for never
 * @param idempotencyKey a repeat of the publish with this key within {@code DEDUP_WINDOW} stores nothing and is
 *                       answered with what the first one stored; empty for none
 */
public record PublishOptions(Optional<Duration> delay, Optional<Duration> ttl, Optional<String> idempotencyKey) {
    /** NONE asks for nothing: due at once, never expires, no key. */
    public static final PublishOptions NONE = new PublishOptions(Optional.empty(), Optional.empty(), Optional.empty());
    /** MAX_KEY_LENGTH is the most characters an idempotency key may have. */
    public static final int MAX_KEY_LENGTH = 256;

    /**
     * Creates the options.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_PARAMETER} for a negative delay, a ttl that is not positive or
     *                         not longer than the delay, or an empty or too long key
     */
    public PublishOptions {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        if (delay.isPresent() && delay.get().isNegative()) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "delay must not be negative");
        }
        if (delay.isPresent() && delay.get().isZero()) {
            delay = Optional.empty();
        }
        if (ttl.isPresent() && (ttl.get().isNegative() || ttl.get().isZero())) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "ttl must be a positive duration");
        }
        if (ttl.isPresent() && delay.isPresent() && ttl.get().compareTo(delay.get()) <= 0) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "ttl (" + Durations.format(ttl.get())
                    + ") must be longer than delay (" + Durations.format(delay.get())
                    + "): both count from the publish, and the message would expire before it is due");
        }
        if (idempotencyKey.isPresent()) {
            String key = idempotencyKey.get();
            if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
                throw new BrokerException(ErrorCode.INVALID_PARAMETER,
                        "an idempotency key must have 1 to " + MAX_KEY_LENGTH + " characters");
            }
        }
    }

    /**
     * of reads the options as a transport receives them: {@code delay} and {@code ttl} in the
     * broker's duration syntax ({@link Durations}), and the key.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_PARAMETER} naming the bad one
     */
    public static PublishOptions of(Optional<String> delay, Optional<String> ttl, Optional<String> idempotencyKey) {
        if (delay.isEmpty() && ttl.isEmpty() && idempotencyKey.isEmpty()) {
            return NONE;
        }
        return new PublishOptions(delay.map(d -> duration("delay", d)), ttl.map(t -> duration("ttl", t)), idempotencyKey);
    }

    private static Duration duration(String name, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, name + ": " + e.getMessage());
        }
    }

    /** isNone says nothing was asked for. */
    public boolean isNone() {
        return delay.isEmpty() && ttl.isEmpty() && idempotencyKey.isEmpty();
    }
}
