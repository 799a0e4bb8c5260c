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
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * GroupCursor is one consumer group on one topic: the state of each offset for the group, its
 * leases and their deadlines, its delivery counts, and who consumes. All fields are guarded by the
 * topic's monitor; {@link TopicLog} calls every method with it held (docs/threading.md).
 *
 * <p>An offset of the topic is, for this group, in exactly one of these states:
 * <ul>
 *   <li><em>new</em>: at or above {@link #next}, never handed out;
 *   <li><em>delayed</em>: below {@link #next} and in no other state, a delayed message passed over
 *       while it was not due (the topic's {@link TopicSchedule} knows when it is);
 *   <li><em>leased</em>: in {@link #leases}, handed out with manual ack and not settled;
 *   <li><em>retry</em>: in {@link #retry}, given back (nack, ack timeout, a member gone) and due at
 *       a time;
 *   <li><em>dead-lettering</em>: in {@link #deadLettering}, on its way to the dead letter topic;
 *   <li><em>finished</em>: below {@link #floor} or in {@link #finishedAbove}.
 * </ul>
 * The transitions are the methods below: {@link #handOut} (new or retry, to a consumer),
 * {@link #lease}, {@link #finish} (ack, auto ack, dead-lettered, redriven for another group),
 * {@link #giveBack} (leased to retry or dead-lettering), {@link #expire} (leases past their
 * deadline, given back), {@link #becameDue} (delayed to retry, due now), and {@link #onTruncate}
 * (the head of the topic dropped).
 */
final class GroupCursor {
    final GroupName name;
    final GroupSettings settings;

    long floor;
    final TreeSet<Long> finishedAbove = new TreeSet<>();
    long next;
    private final Map<Long, Lease> leases = new HashMap<>();
    /** deadlines orders the leases by deadline; an entry whose lease was settled or renewed is skipped. */
    private final PriorityQueue<Lease> deadlines = new PriorityQueue<>((x, y) -> Long.compare(x.deadline, y.deadline));
    /** retry maps an offset waiting to be handed out again to the earliest time it may be (epoch ms). */
    private final TreeMap<Long, Long> retry = new TreeMap<>();
    private final Map<Long, Attempts> attempts = new HashMap<>();
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
    /** expired counts messages this group never got because their ttl passed first. */
    long expired;

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

    /**
     * handOut moves an available offset (new, or a retry that is due) to a consumer: it counts a
     * delivery and returns the message's attempts so far, this one included. The caller then
     * leases it or, with automatic ack, finishes it.
     */
    Attempts handOut(long offset) {
        passOver(offset);
        Attempts a = attempts.computeIfAbsent(offset, k -> new Attempts());
        a.deliveries++;
        delivered++;
        if (a.deliveries > 1) {
            redelivered++;
        }
        return a;
    }

    /** passOver takes an available offset off the list without delivering it (evicted, or redriven for another group). */
    void passOver(long offset) {
        retry.remove(offset);
        if (offset >= next) {
            next = offset + 1;
        }
    }

    /**
     * exhausted says an available offset has had its {@code maxDeliveries} already: its move to
     * the dead letter topic failed before, and it goes there again instead of to a consumer.
     */
    boolean exhausted(long offset) {
        Attempts a = attempts.get(offset);
        return a != null && a.deliveries >= settings.maxDeliveries();
    }

    /** deadLetterAgain takes an exhausted offset off the list and marks it dead-lettering. */
    void deadLetterAgain(long offset) {
        passOver(offset);
        deadLettering.add(offset);
    }

    /** attempts is what the group remembers of the offset's deliveries; made if it has none. */
    Attempts attempts(long offset) {
        return attempts.computeIfAbsent(offset, k -> new Attempts());
    }

    /** lease records a manual delivery of a handed-out offset, due back by its ack timeout. */
    Lease lease(long offset, long id, GroupMember member, long now) {
        Lease lease = new Lease(offset, id, member, now, now + settings.ackTimeout().toMillis());
        leases.put(offset, lease);
        deadlines.add(lease);
        if (member != null) {
            member.inFlight.incrementAndGet();
        }
        return lease;
    }

    /** validLease is the lease a receipt (a valid one: offset and id decoded) names if it is still held and not past its deadline, else null. */
    Lease validLease(long offset, long leaseId, long now) {
        Lease lease = leases.get(offset);
        return lease == null || lease.id != leaseId || lease.deadline <= now ? null : lease;
    }

    /**
     * extend renews a valid lease for another ack timeout. The renewal is a new entry under the
     * same id: a lease's deadline must not change while it is in {@link #deadlines}, which is
     * ordered by it; the old entry is skipped when it comes up.
     */
    Lease extend(Lease lease, long now) {
        Lease renewed = new Lease(lease.offset, lease.id, lease.member, lease.leasedAt, now + settings.ackTimeout().toMillis());
        leases.put(lease.offset, renewed);
        deadlines.add(renewed);
        return renewed;
    }

    /** finish marks an offset finished and moves the floor over every finished offset after it. */
    void finish(long offset) {
        retry.remove(offset);
        attempts.remove(offset);
        deadLettering.remove(offset);
        release(offset);
        if (offset < floor) {
            return;
        }
        finishedAbove.add(offset);
        while (finishedAbove.remove(floor)) {
            floor++;
        }
    }

    /** release ends a lease, if there is one, without deciding the offset's next state. */
    private void release(long offset) {
        Lease lease = leases.remove(offset);
        if (lease != null && lease.member != null) {
            lease.member.inFlight.decrementAndGet();
        }
    }

    /**
     * giveBack ends the offset's lease after a failure (a nack, its ack timeout, its member gone)
     * and records why. It returns true if the offset has had its {@code maxDeliveries} and is now
     * dead-lettering; otherwise it waits for a retry at {@code due} (epoch ms).
     */
    boolean giveBack(long offset, long now, String reason, String error, long due) {
        release(offset);
        Attempts a = attempts(offset);
        a.failed(now, reason, error);
        if (a.deliveries >= settings.maxDeliveries()) {
            deadLettering.add(offset);
            return true;
        }
        retry.put(offset, due);
        return false;
    }

    /** retryAt puts an offset back for a retry at {@code due}: one whose move to the dead letter topic failed. */
    void retryAt(long offset, long due) {
        deadLettering.remove(offset);
        retry.put(offset, due);
    }

    /** expire ends every lease past its deadline and returns their offsets, oldest deadline first; the caller gives them back. */
    List<Long> expire(long now) {
        List<Long> expired = List.of();
        while (!deadlines.isEmpty() && deadlines.peek().deadline <= now) {
            Lease lease = deadlines.poll();
            if (leases.get(lease.offset) != lease) {
                continue; // settled, or extended (its renewal is queued too)
            }
            if (expired.isEmpty()) {
                expired = new ArrayList<>();
            }
            expired.add(lease.offset);
        }
        return expired;
    }

    /** leasesOf lists the offsets leased to this member. */
    List<Long> leasesOf(GroupMember member) {
        List<Long> out = new ArrayList<>();
        for (Lease lease : leases.values()) {
            if (lease.member == member) {
                out.add(lease.offset);
            }
        }
        return out;
    }

    /** releaseAll ends every lease, for a deleted topic: members' in-flight counts go down, nothing is given back. */
    void releaseAll() {
        for (long offset : new ArrayList<>(leases.keySet())) {
            release(offset);
        }
        deadlines.clear();
    }

    /**
     * becameDue makes a delayed message the group passed over available now, as a retry due at
     * once with no delivery counted. One the group has not reached yet stays new.
     */
    void becameDue(long offset, long now) {
        if (offset < next && !isFinished(offset) && !leases.containsKey(offset) && !retry.containsKey(offset)
                && !deadLettering.contains(offset)) {
            retry.put(offset, now);
        }
    }

    /**
     * nextAvailable lists up to {@code max} offsets that may be handed out now, oldest first:
     * messages due for a retry, then messages never handed out, below {@code stored}. Offsets that
     * {@code delayed} says are not due are passed over: the group takes them once they are
     * ({@link #becameDue}).
     */
    List<Long> nextAvailable(long now, long first, long stored, int max, LongPredicate delayed) {
        List<Long> out = new ArrayList<>(Math.min(max, 64));
        Iterator<Map.Entry<Long, Long>> it = retry.entrySet().iterator();
        while (it.hasNext() && out.size() < max) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getKey() < first) {
                it.remove();
                attempts.remove(e.getKey());
                continue;
            }
            if (e.getValue() <= now && !delayed.test(e.getKey())) {
                out.add(e.getKey());
            }
        }
        if (next < first) {
            next = first;
        }
        long o = next;
        while (out.size() < max && o < stored) {
            if (isFinished(o) || delayed.test(o)) {
                if (o == next) {
                    next = o + 1; // what is passed over at the front is never scanned again
                }
            } else {
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
        return new GroupStats(name, unfinished, leases.size(), delivered, acked, redelivered, deadLettered, expired, age);
    }

    boolean hasConsumers() {
        return !members.isEmpty() || !waiters.isEmpty();
    }

    AckMode memberMode(Object consumer) {
        return consumer instanceof GroupMember m ? m.ack : ((Waiter) consumer).ack;
    }
}
