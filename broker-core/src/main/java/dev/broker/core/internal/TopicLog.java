package dev.broker.core.internal;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import dev.broker.api.TopicStats.GroupStats;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerConfig.OverflowPolicy;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoredGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TopicLog is one topic: its offsets, its groups and its subscribers. The messages themselves live
 * in the store.
 *
 * <p>Thread-safety (see {@code docs/threading.md}): the topic's monitor guards offsets, groups,
 * leases, waiters and timers. It is held while a publish takes its offsets and hands the batch to
 * the store, so appends reach the store in offset order, and while a group's progress is handed to
 * the store, so saves reach it in order. {@link #storedOffset} and {@link #firstOffset} are written
 * under the monitor and read without it. Deliveries to listeners and waiters happen outside the
 * monitor, in the topic's pump, which runs on one thread at a time ({@link #pumping}), so a
 * listener sees a topic's messages in order.
 */
final class TopicLog {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLog.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** MAX_ROUND bounds what one delivery round hands out in one group; the pump goes round again for more. */
    private static final int MAX_ROUND = 4096;
    /** REDRIVE_HEADER marks a redriven message with the one group that may see it. */
    static final String REDRIVE_HEADER = "x-redrive-group";
    /** BROWSE_CHUNK is how many messages browse reads from the store at a time. */
    private static final int BROWSE_CHUNK = 64;

    final TopicName name;
    private final Router router;
    private final MessageStore store;
    private final BrokerConfig config;

    // Guarded by this; the volatile ones are also read without it.
    private volatile long firstOffset;
    private long nextOffset;
    private volatile long storedOffset;
    private boolean deleted;
    private final Map<GroupName, GroupCursor> groups = new LinkedHashMap<>();
    /** hasGroups says the topic has had a group since it was made; a publish to a topic with neither groups nor subscribers asks for no delivery. */
    private volatile boolean hasGroups;
    private final Map<GroupName, PriorityQueue<Lease>> leaseDeadlines = new HashMap<>();
    private final TopicTimer timer;
    private long published;
    private long consumed;
    private long dropped;
    private long expired;
    private long bytes;

    private final BroadcastFanOut broadcasts;
    private final AtomicBoolean pumpRequested = new AtomicBoolean();
    private final AtomicBoolean pumping = new AtomicBoolean();
    /**
     * outbox holds hand-outs made under the monitor (to members, and to waiters) that are yet to
     * be delivered, in the order they were made; only the pump takes from it, so a member sees
     * its messages in order whichever thread handed them out.
     */
    private final Queue<Runnable> outbox = new ConcurrentLinkedQueue<>();

    /** DeadLetter is a message on its way to the dead letter topic. */
    private record DeadLetter(GroupCursor group, long offset, NewMessage message) {
    }

    /** Deleted says a publish raced with the deletion of its topic; the router retries on the new topic. */
    static final class Deleted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Deleted() {
            super(null, null, false, false);
        }
    }

    TopicLog(TopicName name, long firstOffset, long nextOffset, Router router) {
        this.name = name;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.storedOffset = nextOffset;
        this.router = router;
        this.store = router.store;
        this.config = router.config;
        this.broadcasts = new BroadcastFanOut(name, store);
        this.timer = new TopicTimer(router::schedule, router.clock::millis, this::tick);
    }

    // ---- publish ------------------------------------------------------------------------------

    /** append gives the batch offsets, hands it to the store and completes once it is stored. */
    CompletionStage<List<Message>> append(List<NewMessage> batch) {
        CompletionStage<List<Message>> stored;
        // Sized here, on the publisher's thread: the store's completer, which records the
        // batch as stored, is one thread for every topic (docs/threading.md).
        long batchBytes = 0;
        for (NewMessage m : batch) {
            batchBytes += Utf8.length(m.data());
        }
        long size = batchBytes;
        synchronized (this) {
            if (deleted) {
                throw new Deleted();
            }
            long firstBefore = firstOffset;
            long evictTo = makeRoom(batch.size());
            long millis = router.clock.millis();
            Instant now = Instant.ofEpochMilli(millis);
            List<Message> messages = new ArrayList<>(batch.size());
            long offset = nextOffset;
            for (NewMessage m : batch) {
                messages.add(new Message(router.ids.next(millis), name, offset++, now, m.headers(), m.data()));
            }
            long first = nextOffset;
            nextOffset = offset;
            // Attached under the monitor, so a store that completes at once records batches in offset order.
            stored = store.append(name, messages).handle((ok, failure) -> {
                if (failure != null) {
                    rewind(first, messages.size(), firstBefore, evictTo);
                    throw new BrokerException(ErrorCode.STORE_UNAVAILABLE,
                            "the store could not write the message: " + rootMessage(failure), null, failure);
                }
                stored(messages, size, firstBefore, evictTo);
                return messages;
            });
        }
        return stored.thenApply(messages -> {
            if (hasGroups || !broadcasts.isEmpty()) {
                pump();
            }
            return messages;
        });
    }

    /**
     * Makes room for {@code incoming} more messages, or refuses the publish. It moves the first
     * offset at once, so no consumer is handed a message about to be evicted; the store and the
     * groups are truncated only once the new messages are stored, and the move is undone if they
     * are not.
     */
    private long makeRoom(int incoming) {
        long max = config.maxQueueSize();
        if (incoming > max) {
            throw new BrokerException(ErrorCode.TOPIC_FULL, "a batch of " + incoming
                    + " messages is more than the topic may hold (MAX_QUEUE_SIZE " + max + ")");
        }
        long excess = (nextOffset - firstOffset) + incoming - max;
        if (excess <= 0) {
            return firstOffset;
        }
        long newFirst = firstOffset + excess;
        if (config.overflowPolicy() == OverflowPolicy.REJECT) {
            for (GroupCursor g : groups.values()) {
                // A group of a wildcard subscription never stops a topic's publishers: what it has
                // not finished is dropped for it instead (docs/decisions/0006-groups-and-dead-letters.md).
                if (g.holdsBack && g.floor < newFirst) {
                    throw new BrokerException(ErrorCode.TOPIC_FULL, "topic " + name + " holds " + max
                            + " messages (MAX_QUEUE_SIZE) that not every group has consumed", RETRY_AFTER);
                }
            }
        }
        firstOffset = newFirst;
        return newFirst;
    }

    private synchronized void rewind(long first, int count, long firstBefore, long evictedTo) {
        // Offsets of a failed append were never visible; reuse them if nothing was appended after,
        // and give back what it would have evicted if nothing moved the head since.
        if (nextOffset == first + count) {
            nextOffset = first;
        }
        if (firstOffset == evictedTo && evictedTo > firstBefore) {
            firstOffset = firstBefore;
        }
    }

    private synchronized void stored(List<Message> messages, long size, long firstBefore, long evictTo) {
        if (evictTo > firstBefore) {
            dropHead(firstBefore, evictTo, false);
        }
        bytes += size;
        published += messages.size();
        storedOffset = messages.get(messages.size() - 1).offset() + 1;
        broadcasts.stored(messages);
    }

    /** dropHead forgets offsets [from, to) in the groups and the store, counting what was unfinished. */
    private void dropHead(long from, long to, boolean byRetention) {
        bytes -= store.dataBytes(name, from, to);
        long unfinished = 0;
        for (GroupCursor g : groups.values()) {
            unfinished = Math.max(unfinished, g.onTruncate(from, to, storedOffset));
        }
        if (groups.isEmpty() && name.isDeadLetter()) {
            unfinished = Math.max(0, Math.min(to, storedOffset) - from);
            LOG.warn("{} dead letters of {} were dropped by {} before any group read them", unfinished, name,
                    byRetention ? "retention (RETENTION_HOURS)" : "the size limit (MAX_QUEUE_SIZE)");
        }
        if (byRetention) {
            expired += unfinished;
        } else {
            dropped += unfinished;
        }
        if (unfinished > 0) {
            router.observers.dropped(name, unfinished, byRetention);
        }
        store.truncate(name, to);
    }

    // ---- consume ------------------------------------------------------------------------------

    /** consume hands out messages at once, or registers a long poll that the pump or a timer answers. */
    CompletionStage<List<Delivery>> consume(ConsumeRequest request) {
        List<DeadLetter> deadLetters = new ArrayList<>();
        List<Delivery> got;
        Waiter waiter = null;
        boolean handedToMembers = false;
        synchronized (this) {
            if (deleted) {
                return CompletableFuture.completedFuture(List.of());
            }
            long now = router.clock.millis();
            requireGroupRoom(request.group());
            GroupCursor g = group(request.group(), Optional.empty());
            expireLeases(g, now, deadLetters);
            List<Long> available = g.nextAvailable(now, firstOffset, storedOffset, request.limit());
            // A poll shares with the group's members that have room, as a delivery round would
            // (docs/delivery.md): it takes its slice and the members are handed theirs.
            int others = 0;
            for (GroupMember m : g.members) {
                if (m.capacity() > 0) {
                    others++;
                }
            }
            if (others > 0 && available.size() > 1) {
                int share = (available.size() + others) / (others + 1);
                available = available.subList(0, share);
            }
            got = handOut(g, now, available, request.ack(), null, deadLetters);
            if (others > 0) {
                // The members' slices are handed out now, not left for the pump: a poller that
                // comes straight back would otherwise take them before the pump has run.
                handedToMembers = shareOut(g, now, deadLetters);
            }
            if (got.isEmpty() && !request.maxWait().isZero()) {
                waiter = new Waiter(request.limit(), request.ack(), now + request.maxWait().toMillis());
                g.waiters.add(waiter);
                wakeAt(waiter.deadline);
            }
        }
        deadLetter(deadLetters);
        if (waiter != null) {
            // A message may have been stored between the hand-out and the registration.
            pump();
            return waiter.future;
        }
        if (handedToMembers) {
            pump();
        }
        return CompletableFuture.completedFuture(got);
    }

    /**
     * handOut hands these available offsets (from {@link GroupCursor#nextAvailable}: retries due
     * first, then new ones) to one consumer. Called with the monitor held.
     */
    private List<Delivery> handOut(GroupCursor g, long now, List<Long> offsets, AckMode ack, GroupMember member,
                                   List<DeadLetter> deadLetters) {
        if (offsets.isEmpty()) {
            return List.of();
        }
        // One hand-out carries at most MAX_REQUEST_SIZE bytes of data (but always one message):
        // a batch of large messages must not be read into memory whole (docs/limits.md). Only a
        // batch whose largest possible size is over the bound is counted; the offsets past the
        // bound are left untouched for the next hand-out.
        Map<Long, Message> messages;
        if ((long) offsets.size() * config.maxMessageSize() > config.maxRequestSize()) {
            messages = new HashMap<>();
            offsets = offsets.subList(0, readWithin(offsets, config.maxRequestSize(), messages));
        } else {
            messages = read(offsets);
        }
        List<Delivery> out = new ArrayList<>(offsets.size());
        Optional<GroupName> group = Optional.of(g.name);
        int redelivered = 0;
        for (long o : offsets) {
            g.retry.remove(o);
            if (o >= g.next) {
                g.next = o + 1;
            }
            Message m = messages.get(o);
            if (m == null) {
                continue; // evicted in the meantime
            }
            String redrivenFor = m.headers().get(REDRIVE_HEADER);
            if (redrivenFor != null && !redrivenFor.equals(g.name.value())) {
                g.finish(o); // redriven for another group alone
                continue;
            }
            Attempts a = g.attempts.computeIfAbsent(o, k -> new Attempts());
            if (a.deliveries >= g.settings.maxDeliveries()) {
                g.deadLettering.add(o); // an earlier move to the dead letter topic failed; try again
                deadLetters.add(new DeadLetter(g, o, deadLetterOf(g, m, a)));
                continue;
            }
            a.deliveries++;
            g.delivered++;
            if (a.deliveries > 1) {
                g.redelivered++;
                redelivered++;
            }
            if (ack == AckMode.AUTO) {
                g.finish(o);
                g.acked++;
                consumed++;
                out.add(new Delivery(m, a.deliveries - 1, group, Optional.empty()));
            } else {
                Lease lease = new Lease(o, router.leaseIds.incrementAndGet(), member, now,
                        now + g.settings.ackTimeout().toMillis());
                g.leases.put(o, lease);
                if (member != null) {
                    member.inFlight.incrementAndGet();
                }
                leaseDeadlines.computeIfAbsent(g.name, k -> new PriorityQueue<>((x, y) -> Long.compare(x.deadline, y.deadline)))
                        .add(lease);
                wakeAt(lease.deadline);
                out.add(new Delivery(m, a.deliveries - 1, group, Optional.of(Receipts.encode(o, lease.id))));
            }
        }
        if (ack == AckMode.AUTO && !out.isEmpty()) {
            save(g);
            router.observers.consumed(name, g.name, out.size());
        }
        if (redelivered > 0) {
            router.observers.redelivered(name, g.name, redelivered);
        }
        return out;
    }

    /**
     * readWithin reads the (ascending) offsets into {@code into} in order, until their data would
     * pass {@code maxBytes} (the first message always fits), and returns how many of the offsets
     * it covered: those read, and those gone from the store among them.
     */
    private int readWithin(List<Long> offsets, long maxBytes, Map<Long, Message> into) {
        long bytes = 0;
        int i = 0;
        while (i < offsets.size()) {
            int j = i + 1;
            while (j < offsets.size() && j - i < BROWSE_CHUNK && offsets.get(j) == offsets.get(j - 1) + 1) {
                j++;
            }
            for (Message m : store.read(name, offsets.get(i), j - i)) {
                long size = Utf8.length(m.data());
                if (!into.isEmpty() && bytes + size > maxBytes) {
                    return offsets.indexOf(m.offset());
                }
                bytes += size;
                into.put(m.offset(), m);
            }
            i = j;
        }
        return offsets.size();
    }

    private Map<Long, Message> read(List<Long> offsets) {
        Map<Long, Message> out = new HashMap<>(offsets.size() * 2);
        int i = 0;
        while (i < offsets.size()) {
            int j = i + 1;
            while (j < offsets.size() && offsets.get(j) == offsets.get(j - 1) + 1) {
                j++;
            }
            for (Message m : store.read(name, offsets.get(i), j - i)) {
                out.put(m.offset(), m);
            }
            i = j;
        }
        return out;
    }

    // ---- ack, nack, extend --------------------------------------------------------------------

    /** Settle is what a settle call does to a valid lease. */
    enum Settle { ACK, NACK, EXTEND }

    CompletionStage<SettleResult> settle(Settle op, GroupName groupName, List<String> receipts, Optional<String> reason,
                                         Duration delay) {
        List<String> stale = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        int settled = 0;
        CompletionStage<Void> saved = CompletableFuture.completedFuture(null);
        synchronized (this) {
            GroupCursor g = deleted ? null : groups.get(groupName);
            long now = router.clock.millis();
            for (String receipt : receipts) {
                long offset = Receipts.offset(receipt);
                Lease lease = g == null || offset < 0 ? null : g.leases.get(offset);
                if (lease == null || lease.id != Receipts.leaseId(receipt) || lease.deadline <= now) {
                    stale.add(receipt);
                    continue;
                }
                settled++;
                switch (op) {
                    case ACK -> {
                        g.finish(offset);
                        g.acked++;
                        consumed++;
                    }
                    case NACK -> {
                        g.releaseLease(offset);
                        fail(g, offset, now, "nack", reason.orElse(null), now + delay.toMillis(), deadLetters);
                    }
                    case EXTEND -> {
                        // A new lease under the same id: a lease's deadline must not change while it
                        // is in the deadline queue, which is ordered by it. The old entry is skipped.
                        Lease renewed = new Lease(offset, lease.id, lease.member, lease.leasedAt,
                                now + g.settings.ackTimeout().toMillis());
                        g.leases.put(offset, renewed);
                        leaseDeadlines.get(g.name).add(renewed);
                        wakeAt(renewed.deadline);
                    }
                }
            }
            if (g != null) {
                expireLeases(g, now, deadLetters);
                if (settled > 0 && op != Settle.EXTEND) {
                    saved = save(g);
                }
                if (settled > 0 && op == Settle.ACK) {
                    router.observers.consumed(name, g.name, settled);
                }
            }
        }
        deadLetter(deadLetters);
        if (settled > 0 && op != Settle.EXTEND) {
            pump();
        }
        SettleResult result = new SettleResult(settled, stale);
        if (op == Settle.ACK) {
            // An ack is answered once it is as durable as the messages.
            return saved.handle((ok, failure) -> {
                if (failure != null) {
                    throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store could not record the ack: "
                            + rootMessage(failure), null, failure);
                }
                return result;
            });
        }
        return CompletableFuture.completedFuture(result);
    }

    /** fail gives a message back to its group for a retry at {@code due}, or dead-letters it. */
    private void fail(GroupCursor g, long offset, long now, String reason, String error, long due,
                      List<DeadLetter> deadLetters) {
        Attempts a = g.attempts.computeIfAbsent(offset, k -> new Attempts());
        a.failed(now, reason, error);
        if (a.deliveries >= g.settings.maxDeliveries()) {
            List<Message> m = store.read(name, offset, 1);
            if (!m.isEmpty()) {
                g.deadLettering.add(offset);
                deadLetters.add(new DeadLetter(g, offset, deadLetterOf(g, m.get(0), a)));
                return;
            }
        }
        g.retry.put(offset, due);
        if (due > now) {
            wakeAt(due);
        }
    }

    private NewMessage deadLetterOf(GroupCursor g, Message m, Attempts a) {
        Map<String, String> headers = new LinkedHashMap<>(m.headers());
        headers.put("x-original-topic", name.value());
        headers.put("x-original-offset", Long.toString(m.offset()));
        headers.put("x-original-id", m.id().toString());
        headers.put("x-group", g.name.value());
        headers.put("x-delivery-count", Integer.toString(a.deliveries));
        headers.put("x-dead-letter-reason", a.lastReason);
        headers.put("x-first-failure-at", Timestamps.format(a.firstFailureAt < 0 ? router.clock.millis() : a.firstFailureAt));
        if (a.lastError != null) {
            headers.put("x-last-error", a.lastError);
        }
        return new NewMessage(m.data(), headers);
    }

    /** deadLetter publishes to {@code dlq.{topic}}; once stored, the message is finished in its group. */
    private void deadLetter(List<DeadLetter> deadLetters) {
        for (DeadLetter d : deadLetters) {
            router.publishDeadLetter(name, d.message()).whenComplete((ok, failure) -> {
                synchronized (this) {
                    if (deleted || !d.group().deadLettering.contains(d.offset())) {
                        return;
                    }
                    if (failure == null) {
                        d.group().finish(d.offset());
                        d.group().deadLettered++;
                        save(d.group());
                        router.observers.deadLettered(name, d.group().name, d.message().headers().get("x-dead-letter-reason"));
                    } else {
                        LOG.warn("moving offset {} of {} to its dead letter topic failed, will retry: {}", d.offset(), name,
                                rootMessage(failure));
                        d.group().deadLettering.remove(d.offset());
                        long due = router.clock.millis() + RETRY_AFTER.toMillis();
                        d.group().retry.put(d.offset(), due);
                        wakeAt(due);
                    }
                }
                pump();
            });
        }
    }

    /** expireLeases gives back every lease of the group whose deadline has passed. */
    private void expireLeases(GroupCursor g, long now, List<DeadLetter> deadLetters) {
        PriorityQueue<Lease> deadlines = leaseDeadlines.get(g.name);
        while (deadlines != null && !deadlines.isEmpty() && deadlines.peek().deadline <= now) {
            Lease lease = deadlines.poll();
            if (g.leases.get(lease.offset) != lease || lease.deadline > now) {
                continue; // settled, or extended (its renewal is queued too)
            }
            g.releaseLease(lease.offset);
            fail(g, lease.offset, now, "ack-timeout", null, now, deadLetters);
        }
    }

    // ---- groups and members -------------------------------------------------------------------

    /** group returns a group, creating it (at {@code from}, else the oldest retained message) if needed. */
    private GroupCursor group(GroupName groupName, Optional<StartFrom> from) {
        return group(groupName, from, true);
    }

    /**
     * group finds or makes a group; {@code byName} says it is used on this topic by its name (a
     * poll, an exact subscription, a creation), which makes it hold back a full topic from then on.
     */
    private GroupCursor group(GroupName groupName, Optional<StartFrom> from, boolean byName) {
        GroupCursor g = groups.get(groupName);
        if (g == null) {
            StartFrom start = from.orElse(StartFrom.EARLIEST);
            g = new GroupCursor(groupName, new GroupSettings(start, config.ackTimeout(), config.maxDeliveries()), startOffset(start));
            g.holdsBack = byName;
            groups.put(groupName, g);
            hasGroups = true;
            save(g);
        } else if (byName && !g.holdsBack) {
            g.holdsBack = true;
            save(g);
        }
        return g;
    }

    private long startOffset(StartFrom from) {
        if (from instanceof StartFrom.AtOffset at) {
            return Math.max(firstOffset, Math.min(at.offset(), nextOffset));
        }
        return from instanceof StartFrom.Latest ? nextOffset : firstOffset;
    }

    /**
     * requireGroupRoom refuses a group this topic does not have yet when it has
     * {@code MAX_GROUPS_PER_TOPIC} already. Pattern subscriptions join each matching topic
     * whatever the count: they are bounded by {@code WS_MAX_SUBSCRIPTIONS} (docs/limits.md).
     */
    synchronized void requireGroupRoom(GroupName groupName) {
        if (!groups.containsKey(groupName) && groups.size() >= config.maxGroupsPerTopic()) {
            throw new BrokerException(ErrorCode.LIMIT_EXCEEDED, "topic " + name + " has " + groups.size()
                    + " groups, the most MAX_GROUPS_PER_TOPIC allows; group " + groupName + " is not made");
        }
    }

    synchronized GroupCreation createGroup(GroupName groupName, GroupSettings settings) {
        GroupCursor g = groups.get(groupName);
        if (g == null) {
            requireGroupRoom(groupName);
        }
        if (g != null) {
            if (!g.settings.equals(settings)) {
                throw new BrokerException(ErrorCode.GROUP_CONFLICT, "group " + groupName + " exists on " + name
                        + " with other settings (startFrom " + g.settings.startFrom().wire() + ", ackTimeout "
                        + g.settings.ackTimeout().toMillis() + "ms, maxDeliveries " + g.settings.maxDeliveries() + ")");
            }
            if (!g.holdsBack) {
                g.holdsBack = true; // created by name now
                save(g);
            }
            return new GroupCreation(name, groupName, g.settings, false);
        }
        g = new GroupCursor(groupName, settings, startOffset(settings.startFrom()));
        groups.put(groupName, g);
        hasGroups = true;
        save(g);
        return new GroupCreation(name, groupName, settings, true);
    }

    synchronized void restore(StoredGroup stored) {
        GroupCursor g = GroupCursor.restore(stored);
        g.onTruncate(firstOffset, firstOffset, storedOffset);
        groups.put(g.name, g);
        hasGroups = true;
    }

    void join(GroupMember member, Optional<StartFrom> from, boolean byName) {
        synchronized (this) {
            if (deleted) {
                return;
            }
            group(member.group, from, byName).members.add(member);
        }
        pump();
    }

    void leave(GroupMember member) {
        List<DeadLetter> deadLetters = new ArrayList<>();
        synchronized (this) {
            GroupCursor g = groups.get(member.group);
            if (g == null) {
                return;
            }
            g.members.remove(member);
            long now = router.clock.millis();
            for (Lease lease : new ArrayList<>(g.leases.values())) {
                if (lease.member == member) {
                    g.releaseLease(lease.offset);
                    fail(g, lease.offset, now, "ack-timeout", "the consumer went away", now, deadLetters);
                }
            }
        }
        deadLetter(deadLetters);
        pump();
    }

    void attachBroadcast(BroadcastSubscription s, StartFrom from) {
        synchronized (this) {
            long start = from instanceof StartFrom.Latest ? storedOffset : Math.min(startOffset(from), storedOffset);
            broadcasts.attach(s, start);
        }
        pump();
    }

    void detachBroadcast(BroadcastSubscription s) {
        broadcasts.detach(s);
    }

    synchronized GroupCursor existingGroup(GroupName groupName) {
        return groups.get(groupName);
    }

    synchronized CompletionStage<Void> redriven(GroupName groupName, long position) {
        GroupCursor g = groups.get(groupName);
        if (g == null) {
            return CompletableFuture.completedFuture(null);
        }
        g.deadLetterPosition = Math.max(g.deadLetterPosition, position);
        return save(g);
    }

    private CompletionStage<Void> save(GroupCursor g) {
        return store.saveGroup(g.snapshot(name));
    }

    // ---- pump: deliveries outside the monitor, one thread at a time ----------------------------

    /**
     * pump asks for whatever can be delivered now (to broadcast subscribers, members and waiters)
     * to be delivered on a delivery thread; it returns at once. One pump runs per topic at a time;
     * a request made while it runs makes it go round again.
     */
    void pump() {
        pumpRequested.set(true);
        if (pumping.compareAndSet(false, true) && !router.deliverLater(this::runPump)) {
            pumping.set(false);
        }
    }

    /** runPump is the topic's delivery task: it owns {@link #pumping} until it returns. */
    private void runPump() {
        try {
            while (true) {
                while (pumpRequested.getAndSet(false)) {
                    if (broadcasts.deliver(firstOffset, storedOffset)) {
                        pumpRequested.set(true);
                    }
                    pumpGroups();
                }
                pumping.set(false);
                // A request that came after the last round but before the flag was down is ours.
                if (!pumpRequested.get() || !pumping.compareAndSet(false, true)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            // A store that cannot be read for a moment must not stop delivery: try again shortly.
            LOG.warn("delivery on {} failed, retrying: {}", name, e.toString());
            pumping.set(false);
            router.schedule(this::pump, 100);
        }
    }

    private void pumpGroups() {
        List<DeadLetter> deadLetters = new ArrayList<>();
        synchronized (this) {
            if (deleted) {
                outbox.clear();
                return;
            }
            long now = router.clock.millis();
            for (GroupCursor g : groups.values()) {
                if (!g.hasConsumers()) {
                    continue;
                }
                expireLeases(g, now, deadLetters);
                shareOut(g, now, deadLetters);
            }
        }
        for (Runnable delivery; (delivery = outbox.poll()) != null; ) {
            delivery.run();
        }
        deadLetter(deadLetters);
    }

    /**
     * shareOut shares what the group has available among its consumers with room: even slices, in
     * an order that rotates between rounds, each no larger than the consumer's room (a long poll's
     * limit, a member's free buffer and in-flight allowance). See docs/delivery.md. Called with the
     * monitor held; the deliveries go to {@link #outbox}, which the pump empties once the monitor
     * is released. Returns whether it handed anything out.
     */
    private boolean shareOut(GroupCursor g, long now, List<DeadLetter> deadLetters) {
        List<Object> consumers = g.consumers();
        if (consumers.isEmpty()) {
            return false;
        }
        boolean handed = false;
        int[] room = new int[consumers.size()];
        long total = 0;
        for (int i = 0; i < room.length; i++) {
            room[i] = consumers.get(i) instanceof Waiter w ? w.limit : ((GroupMember) consumers.get(i)).capacity();
            total += room[i];
        }
        List<Long> available = g.nextAvailable(now, firstOffset, storedOffset, (int) Math.min(total, MAX_ROUND));
        int from = 0;
        for (int i = 0; i < room.length && from < available.size(); i++) {
            int left = available.size() - from;
            int share = (left + (room.length - i) - 1) / (room.length - i);
            int take = Math.min(room[i], share);
            if (take == 0) {
                continue;
            }
            List<Long> slice = available.subList(from, from + take);
            from += take;
            if (consumers.get(i) instanceof Waiter w) {
                List<Delivery> got = handOut(g, now, slice, w.ack, null, deadLetters);
                if (!got.isEmpty()) {
                    g.waiters.remove(w);
                    outbox.add(() -> w.future.complete(got));
                    handed = true;
                }
            } else {
                GroupMember m = (GroupMember) consumers.get(i);
                List<Delivery> got = handOut(g, now, slice, m.ack, m, deadLetters);
                if (!got.isEmpty()) {
                    outbox.add(() -> {
                        m.deliver(got);
                        m.flush();
                    });
                    handed = true;
                    // More may be waiting than this round shared out: look again once these are handed over.
                    pumpRequested.set(true);
                }
            }
        }
        return handed;
    }

    // ---- timers -------------------------------------------------------------------------------

    /** wakeAt makes {@link #tick} run at {@code at} (epoch ms). Called with the monitor held. */
    private void wakeAt(long at) {
        timer.wakeAt(at);
    }

    /** tick expires leases and long polls that are due, and delivers retries that became due. */
    void tick() {
        List<DeadLetter> deadLetters = new ArrayList<>();
        List<Waiter> timedOut = new ArrayList<>();
        synchronized (this) {
            long now = router.clock.millis();
            timer.fired(now);
            for (GroupCursor g : groups.values()) {
                expireLeases(g, now, deadLetters);
                g.waiters.removeIf(w -> {
                    if (!w.gone() && w.deadline <= now) {
                        timedOut.add(w);
                        return true;
                    }
                    return w.gone();
                });
            }
        }
        timedOut.forEach(w -> w.future.complete(List.of()));
        deadLetter(deadLetters);
        pump();
    }

    // ---- retention, inspection, deletion ------------------------------------------------------

    /** expire drops messages older than the retention period from the head of the topic. */
    synchronized void expire(Instant cutoff) {
        long first = firstOffset;
        while (first < storedOffset) {
            List<Message> head = store.read(name, first, 256);
            if (head.isEmpty()) {
                break;
            }
            int old = 0;
            while (old < head.size() && head.get(old).timestamp().isBefore(cutoff)) {
                old++;
            }
            first = head.get(0).offset() + old;
            if (old < head.size()) {
                break;
            }
        }
        if (first > firstOffset) {
            long from = firstOffset;
            firstOffset = first;
            dropHead(from, first, true);
        }
    }

    synchronized TopicInfo info() {
        return new TopicInfo(name, storedOffset - firstOffset, firstOffset, storedOffset - 1);
    }

    synchronized TopicStats stats() {
        long now = router.clock.millis();
        List<GroupStats> groupStats = new ArrayList<>(groups.size());
        int members = 0;
        for (GroupCursor g : groups.values()) {
            groupStats.add(g.stats(storedOffset, now));
            members += g.members.size();
        }
        Optional<Duration> oldest = store.read(name, firstOffset, 1).stream().findFirst()
                .map(m -> Duration.ofMillis(Math.max(0, now - m.timestamp().toEpochMilli())));
        return new TopicStats(name, storedOffset - firstOffset, bytes, firstOffset, storedOffset - 1, published, consumed,
                oldest, broadcasts.size() + members, dropped, expired, groupStats);
    }

    /**
     * browse reads stored messages without leasing them: at most {@code limit}, and no more once
     * their data reach {@code MAX_REQUEST_SIZE} bytes (always at least one), read a chunk at a time
     * so that one request never holds a thousand large messages at once (docs/limits.md).
     */
    List<Message> browse(long from, int limit) {
        long start = Math.max(from, firstOffset);
        long stored = storedOffset;
        if (start >= stored) {
            return List.of();
        }
        int wanted = (int) Math.min(limit, stored - start);
        List<Message> out = new ArrayList<>();
        long bytes = 0;
        long next = start;
        while (out.size() < wanted) {
            List<Message> chunk = store.read(name, next, Math.min(BROWSE_CHUNK, wanted - out.size()));
            if (chunk.isEmpty()) {
                break;
            }
            for (Message m : chunk) {
                long size = Utf8.length(m.data());
                if (!out.isEmpty() && bytes + size > config.maxRequestSize()) {
                    return out;
                }
                out.add(m);
                bytes += size;
            }
            next = chunk.get(chunk.size() - 1).offset() + 1;
        }
        return out;
    }

    long storedOffset() {
        return storedOffset;
    }

    /** delete ends the topic: waiters get nothing, subscribers hear of it, the store forgets it. */
    void delete() {
        List<Waiter> waiters = new ArrayList<>();
        List<GroupMember> members = new ArrayList<>();
        synchronized (this) {
            deleted = true;
            for (GroupCursor g : groups.values()) {
                waiters.addAll(g.waiters);
                members.addAll(g.members);
                for (Lease l : g.leases.values()) {
                    if (l.member != null) {
                        l.member.inFlight.decrementAndGet();
                    }
                }
            }
            groups.clear();
            timer.cancel();
            store.delete(name);
        }
        waiters.forEach(w -> w.future.complete(List.of()));
        for (GroupMember m : members) {
            m.listener().onTopicDeleted(name);
        }
        broadcasts.topicDeleted();
    }

    static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
