package dev.broker.client.internal;

import java.time.Duration;

/** Backoff holds what the client's reconnecting and polling loops accept as a backoff (docs/client.md). */
public final class Backoff {
    private Backoff() {
    }

    /** check refuses a backoff unless {@code 0 < first <= longest}. */
    public static void check(Duration first, Duration longest) {
        if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
            throw new IllegalArgumentException("the backoff needs 0 < first <= longest, not " + first + " and " + longest);
        }
    }
}
