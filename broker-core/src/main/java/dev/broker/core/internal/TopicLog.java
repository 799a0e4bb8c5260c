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
import dev.broker.api.PublishOptions;
import dev.broker.api.Published;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TopicLog is one topic: its offsets and counts, its groups ({@link GroupCursor}), its broadcast
 * subscribers ({@link BroadcastFanOut}) and its pump ({@link TopicPump}). The messages themselves
 * live in the store; dead letters go through {@link DeadLetters}; the deadlines of leases, long
 * polls and retries through {@link TopicTimer}. All it uses of the broker around it is its
 * {@link TopicServices}.
 *
 * <p>Thread-safety (see {@code docs/threading.md}): the topic's monitor guards offsets, groups
 * (with their leases and waiters) and the timer. It is held while a publish takes its offsets and
 * hands the batch to the store, so appends reach the store in offset order, and while a group's
 * progress is handed to the store, so saves reach it in order. {@link #storedOffset} and
 * {@link #firstOffset} are written under the monitor and read without it. Deliveries to listeners
 * and waiters happen outside the monitor, in the topic's pump.
 */
final class TopicLog {
    private static final Logger LOG = LoggerFactory.getLogger(TopicLog.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** MAX_ROUND bounds what one delivery round hands out in one group; the pump goes round again for more. */
    private static final int MAX_ROUND = 4096;

    final TopicName name;
    private final TopicServices services;
    private final MessageStore store;
    private final BrokerConfig config;
    private final TopicReader reader;

    // Guarded by this; the volatile ones are also read without it.
    private volatile long firstOffset;
    private long nextOffset;
    private volatile long storedOffset;
    private boolean deleted;
    private final TopicGroups groups;
    private final TopicTimer timer;
    private long published;
    private long consumed;
    private long dropped;
    private long expired;
    private long bytes;

    private final BroadcastFanOut broadcasts;
    private final TopicPump pump;
    /** Delayed messages not due yet, and the idempotency keys of the dedup window (docs/scheduled-and-idempotent.md). */
    private final TopicSchedule schedule = new TopicSchedule();
    private final PublishDedup dedup;

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

    TopicLog(TopicName name, long firstOffset, long nextOffset, TopicServices services) {
        this.name = name;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.storedOffset = nextOffset;
        this.services = services;
        this.store = services.store();
        this.config = services.config();
        this.reader = new TopicReader(name, store);
        this.groups = new TopicGroups(name, config, store);
        this.broadcasts = new BroadcastFanOut(name, store);
        this.timer = new TopicTimer(services.timer(), services.clock(), this::tick);
        this.pump = new TopicPump(name, services.delivery(), services.timer(), this::round);
        this.dedup = new PublishDedup(config.publishing().dedupWindow().toMillis(), config.publishing().dedupMaxBytes());
    }

    /**
     * recoverRecent reads what a restart must know of the topic's recent messages: the delayed ones
     * not due yet and the idempotency keys still in their window. It reads only messages published
     * within the longer of {@code MAX_DELAY} and {@code DEDUP_WINDOW}, found by their timestamps
     * (docs/scheduled-and-idempotent.md). Called once, before the topic is used.
     */
    synchronized void recoverRecent() {
        long now = services.clock().getAsLong();
        long since = now - Math.max(config.publishing().maxDelay().toMillis(), config.publishing().dedupWindow().toMillis());
        long lo = firstOffset;
        long hi = storedOffset;
        while (lo < hi) { // the first offset whose timestamp is at or after since
            long mid = lo + (hi - lo) / 2;
            List<Message> m = store.read(name, mid, 1);
            if (m.isEmpty() || m.get(0).timestamp().toEpochMilli() < since) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        String key = null;
        List<Message> batch = new ArrayList<>();
        for (long o = lo; o < storedOffset; ) {
            List<Message> chunk = store.read(name, o, 256);
            if (chunk.isEmpty()) {
                break;
            }
            for (Message m : chunk) {
                long due = Scheduled.dueAt(m);
                if (due > now) {
                    delay(m.offset(), due);
                }
                String k = m.headers().isEmpty() ? null : m.headers().get(Scheduled.IDEMPOTENCY_KEY);
                if (key != null && !(key.equals(k) && batch.get(batch.size() - 1).offset() + 1 == m.offset())) {
                    recoverKey(key, batch, now);
                    batch = new ArrayList<>();
                }
                key = k;
                if (k != null) {
                    batch.add(m);
                }
            }
            o = chunk.get(chunk.size() - 1).offset() + 1;
        }
        if (key != null) {
            recoverKey(key, batch, now);
        }
    }

    private void recoverKey(String key, List<Message> batch, long now) {
        long first = batch.get(0).timestamp().toEpochMilli();
        if (dedup.find(key, now) == null && first + config.publishing().dedupWindow().toMillis() > now) {
            dedup.remember(key, first, batch.size()).answer.complete(PublishDedup.answer(batch));
        }
    }

    // ---- publish ------------------------------------------------------------------------------

    /**
     * publish appends a batch with its options; a repeat of an idempotency key within its window
     * stores nothing and gets the first publish's answer, marked as a replay, once that one is
     * stored (docs/scheduled-and-idempotent.md).
     */
    CompletionStage<Published> publish(List<NewMessage> batch, PublishOptions options) {
        if (options.idempotencyKey().isEmpty()) {
            return append(batch, options).thenApply(messages -> new Published(messages, false));
        }
        String key = options.idempotencyKey().get();
        PublishDedup.Remembered first;
        CompletionStage<List<Message>> stored;
        synchronized (this) {
            if (deleted) {
                throw new Deleted();
            }
            long now = services.clock().getAsLong();
            PublishDedup.Remembered seen = dedup.find(key, now);
            if (seen != null) {
                services.observers().replayed(name);
                return seen.answer.thenApply(messages -> new Published(messages, true));
            }
            first = dedup.remember(key, now, batch.size());
            try {
                stored = append(batch, options);
            } catch (RuntimeException refused) {
                dedup.forget(key, first); // refused before it was stored (a full topic): a retry may store it
                first.answer.completeExceptionally(refused);
                throw refused;
            }
        }
        return stored.handle((messages, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    dedup.forget(key, first);
                }
                first.answer.completeExceptionally(failure);
                throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
            }
            first.answer.complete(PublishDedup.answer(messages));
            return new Published(messages, false);
        });
    }

    /** append gives the batch offsets, hands it to the store and completes once it is stored. */
    CompletionStage<List<Message>> append(List<NewMessage> batch) {
        return append(batch, PublishOptions.NONE);
    }

    private CompletionStage<List<Message>> append(List<NewMessage> batch, PublishOptions options) {
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
            long millis = services.clock().getAsLong();
            Instant now = Instant.ofEpochMilli(millis);
            List<Message> messages = new ArrayList<>(batch.size());
            long offset = nextOffset;
            long due = options.delay().map(d -> millis + d.toMillis()).orElse(0L);
            Map<String, String> extra = options.isNone() ? null : scheduleHeaders(options, millis, due);
            for (NewMessage m : batch) {
                Map<String, String> headers = m.headers();
                if (extra != null) {
                    headers = new LinkedHashMap<>(headers);
                    headers.putAll(extra);
                }
                messages.add(new Message(services.ids().next(millis), name, offset++, now, headers, m.data()));
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
                stored(messages, size, firstBefore, evictTo, due);
                return messages;
            });
        }
        return stored.thenApply(messages -> {
            if (groups.any() || !broadcasts.isEmpty()) {
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
            for (GroupCursor g : groups.all()) {
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

    /** scheduleHeaders are the headers that carry a publish's options on each of its messages. */
    private static Map<String, String> scheduleHeaders(PublishOptions options, long millis, long due) {
        Map<String, String> h = new LinkedHashMap<>();
        if (due > 0) {
            h.put(Scheduled.DELIVER_AT, Timestamps.format(due));
        }
        options.ttl().ifPresent(ttl -> h.put(Scheduled.EXPIRES_AT, Timestamps.format(millis + ttl.toMillis())));
        options.idempotencyKey().ifPresent(key -> h.put(Scheduled.IDEMPOTENCY_KEY, key));
        return h;
    }

    private synchronized void stored(List<Message> messages, long size, long firstBefore, long evictTo, long due) {
        if (evictTo > firstBefore) {
            dropHead(firstBefore, evictTo, false);
        }
        if (due > 0 && !deleted) {
            // Scheduled before the stored offset moves, so no consumer sees them as new before they are due.
            for (Message m : messages) {
                schedule.add(m.offset(), due);
                broadcasts.scheduled(m.offset(), due);
            }
            wakeAt(due);
            services.observers().delayed(name, messages.size());
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
        for (GroupCursor g : groups.all()) {
            unfinished = Math.max(unfinished, g.onTruncate(from, to, storedOffset));
        }
        if (groups.all().isEmpty() && name.isDeadLetter()) {
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
            services.observers().dropped(name, unfinished, byRetention);
        }
        schedule.truncate(to);
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
            long now = services.clock().getAsLong();
            groups.requireRoom(request.group());
            GroupCursor g = group(request.group(), Optional.empty(), true);
            expireLeases(g, now, deadLetters);
            List<Long> available = g.nextAvailable(now, firstOffset, storedOffset, request.limit(), pending(now));
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
            offsets = offsets.subList(0, reader.readWithin(offsets, config.maxRequestSize(), messages));
        } else {
            messages = reader.read(offsets);
        }
        List<Delivery> out = new ArrayList<>(offsets.size());
        Optional<GroupName> group = Optional.of(g.name);
        int redelivered = 0;
        int expiredNow = 0;
        for (long o : offsets) {
            Message m = messages.get(o);
            if (m == null) {
                g.passOver(o); // evicted in the meantime
                continue;
            }
            if (!m.headers().isEmpty()) {
                long due = Scheduled.dueAt(m);
                if (due > now) {
                    // Delayed, and not known to the schedule (a delay longer than MAX_DELAY is now): wait for it.
                    g.passOver(o);
                    delay(o, due);
                    continue;
                }
                if (Scheduled.expired(m, now)) {
                    g.passOver(o);
                    g.finish(o);
                    g.expired++;
                    expiredNow++;
                    continue;
                }
            }
            if (DeadLetters.isForAnotherGroup(m, g.name)) {
                g.passOver(o);
                g.finish(o);
                continue;
            }
            if (g.exhausted(o)) {
                g.deadLetterAgain(o);
                deadLetters.add(new DeadLetter(g, o, DeadLetters.letter(name, g.name, m, g.attempts(o), now)));
                continue;
            }
            Attempts a = g.handOut(o);
            if (a.deliveries > 1) {
                redelivered++;
            }
            if (ack == AckMode.AUTO) {
                g.finish(o);
                g.acked++;
                consumed++;
                out.add(new Delivery(m, a.deliveries - 1, group, Optional.empty()));
            } else {
                Lease lease = g.lease(o, services.leaseIds().incrementAndGet(), member, now);
                wakeAt(lease.deadline);
                out.add(new Delivery(m, a.deliveries - 1, group, Optional.of(Receipts.encode(o, lease.id))));
            }
        }
        if (ack == AckMode.AUTO && !out.isEmpty()) {
            save(g);
            services.observers().consumed(name, g.name, out.size());
        } else if (expiredNow > 0) {
            save(g);
        }
        if (expiredNow > 0) {
            services.observers().expired(name, g.name, expiredNow);
        }
        if (redelivered > 0) {
            services.observers().redelivered(name, g.name, redelivered);
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
            long now = services.clock().getAsLong();
            for (String receipt : receipts) {
                long offset = Receipts.offset(receipt);
                Lease lease = g == null || offset < 0 ? null : g.validLease(offset, Receipts.leaseId(receipt), now);
                if (lease == null) {
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
                    case NACK -> fail(g, offset, now, "nack", reason.orElse(null), now + delay.toMillis(), deadLetters);
                    case EXTEND -> wakeAt(g.extend(lease, now).deadline);
                }
            }
            if (g != null) {
                expireLeases(g, now, deadLetters);
                if (settled > 0 && op != Settle.EXTEND) {
                    saved = save(g);
                }
                if (settled > 0 && op == Settle.ACK) {
                    services.observers().consumed(name, g.name, settled);
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

    /**
     * fail gives a leased message back to its group after a failure, for a retry at {@code due},
     * or dead-letters it once it has had its {@code maxDeliveries}.
     */
    private void fail(GroupCursor g, long offset, long now, String reason, String error, long due,
                      List<DeadLetter> deadLetters) {
        if (g.giveBack(offset, now, reason, error, due)) {
            List<Message> m = store.read(name, offset, 1);
            if (!m.isEmpty()) {
                deadLetters.add(new DeadLetter(g, offset, DeadLetters.letter(name, g.name, m.get(0), g.attempts(offset), now)));
                return;
            }
            g.retryAt(offset, due); // evicted: the next hand-out passes over it
        }
        if (due > now) {
            wakeAt(due);
        }
    }

    /** deadLetter stores the dead letters in {@code dlq.{topic}}; once stored, each is finished in its group. */
    private void deadLetter(List<DeadLetter> deadLetters) {
        for (DeadLetter d : deadLetters) {
            services.deadLetters().store(name, d.message()).whenComplete((ok, failure) -> {
                deadLettered(d, failure);
                pump();
            });
        }
    }

    private synchronized void deadLettered(DeadLetter d, Throwable failure) {
        if (deleted || !d.group().deadLettering.contains(d.offset())) {
            return;
        }
        if (failure == null) {
            d.group().finish(d.offset());
            d.group().deadLettered++;
            save(d.group());
            services.observers().deadLettered(name, d.group().name, DeadLetters.reason(d.message()));
        } else {
            LOG.warn("moving offset {} of {} to its dead letter topic failed, will retry: {}", d.offset(), name,
                    rootMessage(failure));
            long due = services.clock().getAsLong() + RETRY_AFTER.toMillis();
            d.group().retryAt(d.offset(), due);
            wakeAt(due);
        }
    }

    /** expireLeases gives back every lease of the group whose deadline has passed. */
    private void expireLeases(GroupCursor g, long now, List<DeadLetter> deadLetters) {
        for (long offset : g.expire(now)) {
            fail(g, offset, now, "ack-timeout", null, now, deadLetters);
        }
    }

    // ---- groups and members -------------------------------------------------------------------

    /** group finds or makes a group used by its name on this topic (docs/decisions/0006-groups-and-dead-letters.md). */
    private GroupCursor group(GroupName groupName, Optional<StartFrom> from, boolean byName) {
        return groups.findOrMake(groupName, from, byName, firstOffset, nextOffset);
    }

    synchronized void requireGroupRoom(GroupName groupName) {
        groups.requireRoom(groupName);
    }

    synchronized GroupCreation createGroup(GroupName groupName, GroupSettings settings) {
        return groups.create(groupName, settings, firstOffset, nextOffset);
    }

    synchronized void restore(StoredGroup stored) {
        groups.restore(stored, firstOffset, storedOffset);
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
            long now = services.clock().getAsLong();
            for (long offset : g.leasesOf(member)) {
                fail(g, offset, now, "ack-timeout", "the consumer went away", now, deadLetters);
            }
        }
        deadLetter(deadLetters);
        pump();
    }

    void attachBroadcast(BroadcastSubscription s, StartFrom from) {
        synchronized (this) {
            long start = from instanceof StartFrom.Latest ? storedOffset
                    : Math.min(TopicGroups.startOffset(from, firstOffset, nextOffset), storedOffset);
            broadcasts.attach(s, start);
        }
        pump();
    }

    void detachBroadcast(BroadcastSubscription s) {
        broadcasts.detach(s);
    }

    synchronized boolean hasGroup(GroupName groupName) {
        return groups.get(groupName) != null;
    }

    /** redrivePosition is where the group's next redrive starts in the dead letter topic, or -1 without the group. */
    synchronized long redrivePosition(GroupName groupName) {
        GroupCursor g = groups.get(groupName);
        return g == null ? -1 : g.deadLetterPosition;
    }

    /** redriven records that the group's dead letters before {@code position} were redriven. */
    synchronized CompletionStage<Void> redriven(GroupName groupName, long position) {
        GroupCursor g = groups.get(groupName);
        if (g == null) {
            return CompletableFuture.completedFuture(null);
        }
        g.deadLetterPosition = Math.max(g.deadLetterPosition, position);
        return save(g);
    }

    private CompletionStage<Void> save(GroupCursor g) {
        return groups.save(g);
    }

    // ---- pump: deliveries outside the monitor, one thread at a time ----------------------------

    /**
     * pump asks for whatever can be delivered now (to broadcast subscribers, members and waiters)
     * to be delivered on a delivery thread; it returns at once (see {@link TopicPump}).
     */
    void pump() {
        pump.request();
    }

    /** round is one delivery round, run by the pump: broadcasts first, then each group's share-out. */
    private void round() {
        if (broadcasts.deliver(firstOffset, storedOffset, services.clock().getAsLong())) {
            pump.again();
        }
        List<DeadLetter> deadLetters = new ArrayList<>();
        synchronized (this) {
            if (deleted) {
                pump.discardHanded();
                return;
            }
            long now = services.clock().getAsLong();
            for (GroupCursor g : groups.all()) {
                if (!g.hasConsumers()) {
                    continue;
                }
                expireLeases(g, now, deadLetters);
                shareOut(g, now, deadLetters);
            }
        }
        pump.deliverHanded();
        deadLetter(deadLetters);
    }

    /**
     * shareOut shares what the group has available among its consumers with room: even slices, in
     * an order that rotates between rounds, each no larger than the consumer's room (a long poll's
     * limit, a member's free buffer and in-flight allowance). See docs/delivery.md. Called with the
     * monitor held; the deliveries are handed to the pump, which makes them once the monitor is
     * released. Returns whether it handed anything out.
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
        List<Long> available = g.nextAvailable(now, firstOffset, storedOffset, (int) Math.min(total, MAX_ROUND), pending(now));
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
                    pump.hand(() -> w.future.complete(got));
                    handed = true;
                }
            } else {
                GroupMember m = (GroupMember) consumers.get(i);
                List<Delivery> got = handOut(g, now, slice, m.ack, m, deadLetters);
                if (!got.isEmpty()) {
                    pump.hand(() -> {
                        m.deliver(got);
                        m.flush();
                    });
                    handed = true;
                    // More may be waiting than this round shared out: look again once these are handed over.
                    pump.again();
                }
            }
        }
        return handed;
    }

    // ---- timers -------------------------------------------------------------------------------

    /** delay holds a delayed message back from groups and broadcast subscribers until {@code due}. Called with the monitor held. */
    private void delay(long offset, long due) {
        schedule.add(offset, due);
        broadcasts.scheduled(offset, due);
        wakeAt(due);
    }

    /** pending tells, for the groups' scans, which offsets are delayed messages not due at {@code now}. */
    private LongPredicate pending(long now) {
        return schedule.isEmpty() ? o -> false : o -> schedule.pending(o, now);
    }

    /** wakeAt makes {@link #tick} run at {@code at} (epoch ms). Called with the monitor held. */
    private void wakeAt(long at) {
        timer.wakeAt(at);
    }

    /** tick expires leases and long polls that are due, and delivers retries that became due. */
    void tick() {
        List<DeadLetter> deadLetters = new ArrayList<>();
        List<Waiter> timedOut = new ArrayList<>();
        synchronized (this) {
            long now = services.clock().getAsLong();
            timer.fired(now);
            for (long offset : schedule.takeDue(now)) {
                for (GroupCursor g : groups.all()) {
                    g.becameDue(offset, now);
                }
            }
            for (GroupCursor g : groups.all()) {
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
        long now = services.clock().getAsLong();
        List<GroupStats> groupStats = new ArrayList<>(groups.all().size());
        int members = 0;
        for (GroupCursor g : groups.all()) {
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
        return reader.browse(start, (int) Math.min(limit, stored - start), config.maxRequestSize());
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
            for (GroupCursor g : groups.all()) {
                waiters.addAll(g.waiters);
                members.addAll(g.members);
                g.releaseAll();
            }
            groups.clear();
            schedule.clear();
            dedup.clear();
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
