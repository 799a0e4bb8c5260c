package dev.broker.core.internal;

import dev.broker.api.AckMode;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats.GroupStats;
import dev.broker.spi.StoredGroup;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * GroupCursor is one consumer group on one topic: what it has finished, what it has leased, what
 * waits to be handed out again, and who consumes. All fields are guarded by the topic's monitor;
 * {@link TopicLog} calls every method with it held.
 *
 * <p>An offset of the topic is, for this group: finished (below {@link #floor}, or in
 * {@link #finishedAbove}); leased; waiting for a retry ({@link #retry}); being dead-lettered; or
 * not yet handed out (at or above {@link #next}). Exactly one of these holds at any time.
 */
final class GroupCursor {
    final GroupName name;
    final GroupSettings settings;

    long floor;
    final TreeSet<Long> finishedAbove = new TreeSet<>();
    long next;
    final Map<Long, Lease> leases = new HashMap<>();
    /** retry maps an offset waiting to be handed out again to the earliest time it may be (epoch ms). */
    final TreeMap<Long, Long> retry = new TreeMap<>();
    final Map<Long, Attempts> attempts = new HashMap<>();
    final Set<Long> deadLettering = new HashSet<>();
    long deadLetterPosition;
    /**
     * holdsBack says the group keeps a full topic from dropping what it has not finished (under
     * OVERFLOW_POLICY=reject): every group but one made by a wildcard subscription, until it is
     * used on the topic by name (docs/decisions/0006-groups-and-dead-letters.md).
     */
    boolean holdsBack = true;

    final List<GroupMember> members = new ArrayList<>();
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int rotation;

    long delivered;
    long acked;
    long redelivered;
    long deadLettered;

    GroupCursor(GroupName name, GroupSettings settings, long start) {
        this.name = name;
        this.settings = settings;
        this.floor = start;
        this.next = start;
    }

    static GroupCursor restore(StoredGroup stored) {
        GroupCursor g = new GroupCursor(stored.group(), stored.settings(), stored.floor());
        for (long o : stored.finishedAbove()) {
            g.finishedAbove.add(o);
        }
        g.next = stored.finishedAbove().length == 0 ? stored.floor()
                : Math.max(stored.floor(), stored.finishedAbove()[stored.finishedAbove().length - 1] + 1);
        // Offsets between the floor and next that are not finished were handed out before the
        // restart and never acked: they are handed out again.
        for (long o = g.floor; o < g.next; o++) {
            if (!g.finishedAbove.contains(o)) {
                g.retry.put(o, 0L);
            }
        }
        g.deadLetterPosition = stored.deadLetterPosition();
        g.holdsBack = stored.holdsBack();
        return g;
    }

    StoredGroup snapshot(TopicName topic) {
        long[] above = new long[finishedAbove.size()];
        int i = 0;
        for (long o : finishedAbove) {
            above[i++] = o;
        }
        return new StoredGroup(topic, name, settings, floor, above, deadLetterPosition, holdsBack);
    }

    boolean isFinished(long offset) {
        return offset < floor || finishedAbove.contains(offset);
    }

    /** finish marks an offset finished and moves the floor over every finished offset after it. */
    void finish(long offset) {
        retry.remove(offset);
        attempts.remove(offset);
        deadLettering.remove(offset);
        Lease lease = leases.remove(offset);
        if (lease != null && lease.member != null) {
            lease.member.inFlight.decrementAndGet();
        }
        if (offset < floor) {
            return;
        }
        finishedAbove.add(offset);
        while (finishedAbove.remove(floor)) {
            floor++;
        }
    }

    /** releaseLease ends a lease without finishing the message; returns it. */
    Lease releaseLease(long offset) {
        Lease lease = leases.remove(offset);
        if (lease != null && lease.member != null) {
            lease.member.inFlight.decrementAndGet();
        }
        return lease;
    }

    /**
     * nextAvailable lists up to {@code max} offsets that may be handed out now, oldest first:
     * messages due for a retry, then messages never handed out, below {@code stored}.
     */
    List<Long> nextAvailable(long now, long first, long stored, int max) {
        List<Long> out = new ArrayList<>(Math.min(max, 64));
        Iterator<Map.Entry<Long, Long>> it = retry.entrySet().iterator();
        while (it.hasNext() && out.size() < max) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getKey() < first) {
                it.remove();
                attempts.remove(e.getKey());
                continue;
            }
            if (e.getValue() <= now) {
                out.add(e.getKey());
            }
        }
        if (next < first) {
            next = first;
        }
        long o = next;
        while (out.size() < max && o < stored) {
            if (!isFinished(o)) {
                out.add(o);
            }
            o++;
        }
        return out;
    }

    /** earliestRetry is when the next delayed retry becomes due, or Long.MAX_VALUE. */
    long earliestRetry(long now) {
        long earliest = Long.MAX_VALUE;
        for (long due : retry.values()) {
            if (due > now && due < earliest) {
                earliest = due;
            }
        }
        return earliest;
    }

    /** consumers lists who can take messages now, in an order that rotates between calls. */
    List<Object> consumers() {
        List<Object> out = new ArrayList<>(waiters.size() + members.size());
        waiters.removeIf(Waiter::gone);
        out.addAll(waiters);
        if (!members.isEmpty()) {
            int n = members.size();
            int start = Math.floorMod(rotation++, n);
            for (int i = 0; i < n; i++) {
                GroupMember m = members.get((start + i) % n);
                if (m.capacity() > 0) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** onTruncate forgets what concerned offsets below the topic's new first offset; returns how many of them were unfinished. */
    long onTruncate(long oldFirst, long newFirst, long stored) {
        long end = Math.min(newFirst, stored);
        long unfinished = 0;
        for (long o = Math.max(oldFirst, floor); o < end; o++) {
            if (!finishedAbove.contains(o)) {
                unfinished++;
            }
        }
        finishedAbove.headSet(newFirst).clear();
        for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
            Lease l = it.next();
            if (l.offset < newFirst) {
                it.remove();
                if (l.member != null) {
                    l.member.inFlight.decrementAndGet();
                }
            }
        }
        retry.headMap(newFirst).clear();
        attempts.keySet().removeIf(o -> o < newFirst);
        floor = Math.max(floor, newFirst);
        while (finishedAbove.remove(floor)) {
            floor++;
        }
        next = Math.max(next, newFirst);
        return unfinished;
    }

    GroupStats stats(long stored, long now) {
        long unfinished = Math.max(0, stored - floor - finishedAbove.headSet(stored).size());
        long oldest = Long.MAX_VALUE;
        for (Lease l : leases.values()) {
            oldest = Math.min(oldest, l.leasedAt);
        }
        Optional<Duration> age = oldest == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofMillis(now - oldest));
        return new GroupStats(name, unfinished, leases.size(), delivered, acked, redelivered, deadLettered, age);
    }

    boolean hasConsumers() {
        return !members.isEmpty() || !waiters.isEmpty();
    }

    AckMode memberMode(Object consumer) {
        return consumer instanceof GroupMember m ? m.ack : ((Waiter) consumer).ack;
    }
}
