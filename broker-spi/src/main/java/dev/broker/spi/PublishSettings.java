package dev.broker.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * PublishSettings bound delayed and idempotent publishes (docs/scheduled-and-idempotent.md).
 * Immutable.
 *
 * @param maxDelay      the longest {@code delay} a publish may ask for ({@code MAX_DELAY}); shorter than the retention
 * @param dedupWindow   how long an {@code Idempotency-Key} is remembered, from the first publish ({@code DEDUP_WINDOW})
 * @param dedupMaxBytes the memory one topic's remembered keys may take ({@code DEDUP_MAX_BYTES}); past it the oldest
 *                      keys are forgotten before their window ends
 */
public record PublishSettings(Duration maxDelay, Duration dedupWindow, long dedupMaxBytes) {
    /** DEFAULTS: {@code MAX_DELAY} 15m, {@code DEDUP_WINDOW} 2m, {@code DEDUP_MAX_BYTES} 4 MiB. */
    public static final PublishSettings DEFAULTS = new PublishSettings(Duration.ofMinutes(15), Duration.ofMinutes(2), 4L << 20);

    public PublishSettings {
        Objects.requireNonNull(maxDelay, "MAX_DELAY");
        Objects.requireNonNull(dedupWindow, "DEDUP_WINDOW");
        if (maxDelay.toMillis() < 1) {
            throw new IllegalArgumentException("MAX_DELAY must be a positive duration");
        }
        if (dedupWindow.toMillis() < 1) {
            throw new IllegalArgumentException("DEDUP_WINDOW must be a positive duration");
        }
        if (dedupMaxBytes < 1024) {
            throw new IllegalArgumentException("DEDUP_MAX_BYTES must be at least 1024 bytes");
        }
    }
}
