package dev.broker.loadtest.internal;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Tally is one counter per message sequence number, allocated in chunks of 4096 as sequence
 * numbers are used (through a directory of pages of chunks, itself allocated as used), so a run
 * bounded by time alone costs memory only for what it sent, even with a tally per subscriber.
 * Thread-safe.
 */
final class Tally {
    private static final int CHUNK_BITS = 12;
    private static final int PAGE_BITS = 10;
    private static final int CHUNK_MASK = (1 << CHUNK_BITS) - 1;
    private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;

    private final long capacity;
    private final AtomicReferenceArray<AtomicReferenceArray<AtomicIntegerArray>> pages;

    /** Tally counts for sequence numbers 0 to {@code capacity - 1}. */
    Tally(long capacity) {
        this.capacity = capacity;
        long chunks = (capacity + CHUNK_MASK) >>> CHUNK_BITS;
        this.pages = new AtomicReferenceArray<>((int) ((chunks + PAGE_MASK) >>> PAGE_BITS));
    }

    /** holds is true when {@code seq} is a sequence number this tally counts. */
    boolean holds(long seq) {
        return seq >= 0 && seq < capacity;
    }

    /** increment adds one to the counter of {@code seq} and returns the new count. */
    int increment(long seq) {
        return chunk(seq).incrementAndGet((int) (seq & CHUNK_MASK));
    }

    /** set sets the counter of {@code seq} to {@code value} if it was {@code expected}; true if it did. */
    boolean set(long seq, int expected, int value) {
        return chunk(seq).compareAndSet((int) (seq & CHUNK_MASK), expected, value);
    }

    /** get is the counter of {@code seq}, 0 if never touched. */
    int get(long seq) {
        long chunk = seq >>> CHUNK_BITS;
        AtomicReferenceArray<AtomicIntegerArray> page = pages.get((int) (chunk >>> PAGE_BITS));
        if (page == null) {
            return 0;
        }
        AtomicIntegerArray c = page.get((int) (chunk & PAGE_MASK));
        return c == null ? 0 : c.get((int) (seq & CHUNK_MASK));
    }

    private AtomicIntegerArray chunk(long seq) {
        long chunk = seq >>> CHUNK_BITS;
        int p = (int) (chunk >>> PAGE_BITS);
        AtomicReferenceArray<AtomicIntegerArray> page = pages.get(p);
        if (page == null) {
            pages.compareAndSet(p, null, new AtomicReferenceArray<>(1 << PAGE_BITS));
            page = pages.get(p);
        }
        int c = (int) (chunk & PAGE_MASK);
        AtomicIntegerArray counters = page.get(c);
        if (counters == null) {
            page.compareAndSet(c, null, new AtomicIntegerArray(1 << CHUNK_BITS));
            counters = page.get(c);
        }
        return counters;
    }
}
