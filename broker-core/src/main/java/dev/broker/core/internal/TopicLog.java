package dev.broker.core.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerConfig.OverflowPolicy;
import dev.broker.spi.MessageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TopicLog is one topic: its offsets, its groups' positions and its broadcast subscribers. The
 * messages themselves live in the store.
 *
 * <p>Thread-safety: the topic's monitor ({@code synchronized (this)}) guards offsets and group
 * positions, and is held while a publish takes its offsets and hands the batch to the store, so
 * appends reach the store in offset order. {@link #storedOffset} is written by whichever thread
 * completes a store append and read without the monitor. Dispatch to subscribers runs on one
 * thread at a time per topic (the {@link #dispatching} flag), in offset order. See
 * {@code docs/threading.md}.
 */
final class TopicLog {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    final TopicName name;
    private final MessageStore store;
    private final BrokerConfig config;
    private final Clock clock;
    private final Uuid7 ids;

    // Guarded by this.
    private long firstOffset;
    private long nextOffset;
    private final Map<GroupName, long[]> groupPositions = new HashMap<>();

    /** storedOffset: every offset below it is in the store and may be handed to consumers. */
    private volatile long storedOffset;

    /** Attached is a subscriber and the first offset it may receive: the stored offset when it subscribed. */
    private record Attached(BroadcastSubscription subscription, long from) {
    }

    private final CopyOnWriteArrayList<Attached> subscribers = new CopyOnWriteArrayList<>();
    /** Guards the stored offset's advance against attaching a subscriber, and the undispatched queue. */
    private final Queue<Message> undispatched = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean dispatching = new AtomicBoolean();

    TopicLog(TopicName name, long firstOffset, long nextOffset, MessageStore store, BrokerConfig config,
             Clock clock, Uuid7 ids) {
        this.name = name;
        this.firstOffset = firstOffset;
        this.nextOffset = nextOffset;
        this.storedOffset = nextOffset;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.ids = ids;
    }

    /** attach makes a subscription receive every message stored from now on. */
    void attach(BroadcastSubscription subscription) {
        synchronized (undispatched) {
            subscribers.add(new Attached(subscription, storedOffset));
        }
    }

    /** detach stops a subscription's deliveries from this topic. */
    void detach(BroadcastSubscription subscription) {
        subscribers.removeIf(a -> a.subscription() == subscription);
    }

    /** append gives the batch offsets, hands it to the store and completes once it is stored. */
    CompletionStage<List<Message>> append(List<NewMessage> batch) {
        CompletionStage<List<Message>> stored;
        synchronized (this) {
            long firstBefore = firstOffset;
            long evictTo = makeRoom(batch.size());
            Instant now = Instant.ofEpochMilli(clock.millis());
            List<Message> messages = new ArrayList<>(batch.size());
            long offset = nextOffset;
            for (NewMessage m : batch) {
                messages.add(new Message(ids.next(now.toEpochMilli()), name, offset++, now, m.headers(), m.data()));
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
                if (evictTo > firstBefore) {
                    store.truncate(name, evictTo);
                }
                markStored(messages);
                return messages;
            });
        }
        return stored.thenApply(messages -> {
            dispatch();
            return messages;
        });
    }

    /** consume hands out up to limit stored messages to the group, finishing them at once. */
    List<Delivery> consume(GroupName group, int limit) {
        List<Message> messages;
        synchronized (this) {
            long[] position = groupPositions.computeIfAbsent(group, g -> new long[] {firstOffset});
            long from = Math.max(position[0], firstOffset);
            long available = storedOffset - from;
            if (available <= 0) {
                return List.of();
            }
            messages = store.read(name, from, (int) Math.min(limit, available));
            position[0] = messages.isEmpty() ? from : messages.get(messages.size() - 1).offset() + 1;
        }
        List<Delivery> deliveries = new ArrayList<>(messages.size());
        for (Message m : messages) {
            deliveries.add(new Delivery(m, 0));
        }
        return deliveries;
    }

    /** expire drops messages older than the retention period from the head of the topic. */
    void expire(Instant cutoff) {
        synchronized (this) {
            long first = firstOffset;
            while (first < storedOffset) {
                List<Message> head = store.read(name, first, 256);
                if (head.isEmpty()) {
                    break;
                }
                int expired = 0;
                while (expired < head.size() && head.get(expired).timestamp().isBefore(cutoff)) {
                    expired++;
                }
                first = head.get(0).offset() + expired;
                if (expired < head.size()) {
                    break;
                }
            }
            if (first > firstOffset) {
                firstOffset = first;
                store.truncate(name, first);
            }
        }
    }

    synchronized TopicInfo info() {
        return new TopicInfo(name, nextOffset - firstOffset, firstOffset, nextOffset - 1);
    }

    /**
     * Evicts from the head so that {@code incoming} more messages fit, or refuses the publish. It
     * moves the first offset at once, so no consumer is handed an evicted message; the caller
     * truncates the store only once the new messages are stored, and undoes the move if they are not.
     *
     * @return the new first offset
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
            for (long[] position : groupPositions.values()) {
                if (position[0] < newFirst) {
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
        // and give back what it evicted if nothing moved the head since.
        if (nextOffset == first + count) {
            nextOffset = first;
        }
        if (firstOffset == evictedTo && evictedTo > firstBefore) {
            firstOffset = firstBefore;
        }
    }

    private void markStored(List<Message> messages) {
        synchronized (undispatched) {
            storedOffset = messages.get(messages.size() - 1).offset() + 1;
            if (!subscribers.isEmpty()) {
                undispatched.addAll(messages);
            }
        }
    }

    private void dispatch() {
        while (!undispatched.isEmpty() && dispatching.compareAndSet(false, true)) {
            try {
                Message m;
                while ((m = undispatched.poll()) != null) {
                    for (Attached a : subscribers) {
                        if (m.offset() >= a.from()) {
                            a.subscription().offer(m);
                        }
                    }
                }
            } finally {
                dispatching.set(false);
            }
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
