package dev.broker.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * TopicSchedule is a topic's delayed messages that are not due yet (docs/scheduled-and-idempotent.md):
 * their offsets by due time, so that due ones are found without reading the topic. It holds two
 * numbers a message, never the message. Not thread-safe: guarded by the topic's monitor
 * (docs/threading.md).
 */
final class TopicSchedule {
    /** pending maps the offset of each delayed message not due yet to its due time (epoch ms). */
    private final TreeMap<Long, Long> pending = new TreeMap<>();
    /** byDue orders them by due time; an entry no longer in {@link #pending} (truncated) is skipped. */
    private final PriorityQueue<long[]> byDue = new PriorityQueue<>((x, y) -> x[0] != y[0]
            ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));

    /** add records a delayed message; adding one already there does nothing. */
    void add(long offset, long due) {
        if (pending.putIfAbsent(offset, due) == null) {
            byDue.add(new long[] {due, offset});
        }
    }

    /** pending says the offset is a delayed message not due at {@code now}. */
    boolean pending(long offset, long now) {
        if (pending.isEmpty()) {
            return false;
        }
        Long due = pending.get(offset);
        return due != null && due > now;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int size() {
        return pending.size();
    }

    /** takeDue forgets and returns the offsets that are due at {@code now}, earliest due first. */
    List<Long> takeDue(long now) {
        List<Long> due = List.of();
        while (!byDue.isEmpty() && byDue.peek()[0] <= now) {
            long[] e = byDue.poll();
            if (pending.remove(e[1]) != null) {
                if (due.isEmpty()) {
                    due = new ArrayList<>();
                }
                due.add(e[1]);
            }
        }
        return due;
    }

    /** truncate forgets the offsets below {@code first}, dropped from the topic. */
    void truncate(long first) {
        pending.headMap(first).clear();
        if (pending.isEmpty()) {
            byDue.clear();
        }
    }

    void clear() {
        pending.clear();
        byDue.clear();
    }
}
