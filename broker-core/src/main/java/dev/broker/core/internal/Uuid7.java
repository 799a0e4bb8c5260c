package dev.broker.core.internal;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Uuid7 makes UUID version 7 ids (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids
 * made by one generator are strictly increasing, even within one millisecond or when the clock
 * steps back, so they sort in the order the broker accepted the messages. The random bits come
 * from a fast generator seeded once from {@link SecureRandom}: uniqueness comes from the time and
 * the counter, and a per-message call into the system's secure source cost more than the rest of
 * a publish. Thread-safe.
 */
final class Uuid7 {
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private long lastMillis;
    private long sequence; // the 12-bit rand_a field, used as a counter within one millisecond

    /** next makes the next id for a message accepted at {@code millis}. */
    synchronized UUID next(long millis) {
        if (millis > lastMillis) {
            lastMillis = millis;
            sequence = random.nextInt(1 << 11); // leave room to count up within the millisecond
        } else if (++sequence > 0xFFF) {
            lastMillis++; // borrow the next millisecond rather than repeat an id
            sequence = 0;
        }
        long msb = (lastMillis << 16) | (0x7L << 12) | sequence;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
