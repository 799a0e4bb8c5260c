package dev.broker.core.internal;

import dev.broker.api.Delivery;
import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.spi.MessageStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * BroadcastFanOut hands one topic's stored messages to its broadcast subscribers
 * (docs/delivery.md): live messages from a queue filled as they are stored, and a replay from the
 * store for subscribers that start behind it. A delayed message that is not due is held back from
 * both and handed, once due, to every subscriber past its offset; an expired one is handed to none
 * (docs/scheduled-and-idempotent.md).
 *
 * <p>Thread-safety (docs/threading.md): {@link #stored} is called under the topic's monitor, in
 * offset order; {@link #attach} under it too, so a new subscriber's start and the queue agree;
 * {@link #deliver} only by the topic's pump, one thread at a time; {@link #detach} from anywhere.
 */
final class BroadcastFanOut {
    private static final int CHUNK = 256;

    /** Attached is a subscriber and the next offset it gets; {@code next} and {@code offered} are touched only by the pump. */
    private static final class Attached {
        final BroadcastSubscription subscription;
        volatile long next;
        /** offered says this round handed it something and owes it a flush. */
        boolean offered;

        Attached(BroadcastSubscription subscription, long next) {
            this.subscription = subscription;
            this.next = next;
        }

        int room() {
            return subscription.listener().capacity();
        }
    }

    private final TopicName topic;
    private final MessageStore store;
    private final CopyOnWriteArrayList<Attached> subscribers = new CopyOnWriteArrayList<>();
    /**
     * Messages stored while the topic had subscribers, not yet handed to them. Live subscribers get
     * them from here, so one that keeps up never depends on the message still being in the store.
     */
    private final Queue<Message> undispatched = new ConcurrentLinkedQueue<>();
    /** Delayed messages the topic scheduled, {offset, due}, not yet taken into {@link #held}. */
    private final Queue<long[]> scheduled = new ConcurrentLinkedQueue<>();
    /** held maps each delayed message held back to its due time (epoch ms); touched only by the pump. */
    private final Map<Long, Long> held = new HashMap<>();
    /** The entries of {@link #held} by due time; touched only by the pump. */
    private final PriorityQueue<long[]> heldByDue = new PriorityQueue<>((x, y) -> Long.compare(x[1], y[1]));

    BroadcastFanOut(TopicName topic, MessageStore store) {
        this.topic = topic;
        this.store = store;
    }

    boolean isEmpty() {
        return subscribers.isEmpty();
    }

    int size() {
        return subscribers.size();
    }

    /** attach adds a subscriber that gets every message from offset {@code start} on. Under the topic's monitor. */
    void attach(BroadcastSubscription s, long start) {
        subscribers.add(new Attached(s, start));
    }

    void detach(BroadcastSubscription s) {
        subscribers.removeIf(a -> a.subscription == s);
    }

    /** scheduled tells of a delayed message not due yet, stored or about to be. Under the topic's monitor. */
    void scheduled(long offset, long due) {
        scheduled.add(new long[] {offset, due});
    }

    /** stored queues newly stored messages for the live subscribers. Under the topic's monitor, in offset order. */
    void stored(List<Message> messages) {
        if (!subscribers.isEmpty()) {
            undispatched.addAll(messages);
        }
    }

    /**
     * deliver makes one round: replays up to the live messages for subscribers behind them (as far
     * as each has room), then the live messages to every subscriber that has caught up, then a
     * flush for each that got something. Before them, delayed messages that became due go to every
     * subscriber past them. {@code first} and {@code stored} are the topic's first and stored
     * offsets, {@code now} the round's time. Returns true if a subscriber is left behind and wants
     * another round.
     */
    boolean deliver(long first, long stored, long now) {
        long[] s;
        while ((s = scheduled.poll()) != null) {
            hold(s[0], s[1], now);
        }
        if (subscribers.isEmpty()) {
            undispatched.clear();
            releaseDue(first, now);
            return false;
        }
        releaseDue(first, now);
        boolean again = false;
        // Replay: a subscriber without room waits for its Subscription.wake().
        while (true) {
            Message head = undispatched.peek();
            long liveFrom = head == null ? stored : head.offset();
            long min = Long.MAX_VALUE;
            for (Attached a : subscribers) {
                if (a.next < liveFrom && a.next < first) {
                    a.next = Math.min(first, liveFrom); // evicted from the store before this subscriber read it
                }
                if (a.next < liveFrom && !a.subscription.closed() && a.room() > 0) {
                    min = Math.min(min, a.next);
                }
            }
            if (min == Long.MAX_VALUE) {
                break;
            }
            List<Message> chunk = store.read(topic, min, (int) Math.min(CHUNK, liveFrom - min));
            long end = chunk.isEmpty() ? Math.min(liveFrom, min + CHUNK) : chunk.get(chunk.size() - 1).offset() + 1;
            replay(chunk, min, end, now);
        }
        // Live: not held back by room; one that cannot keep up is for its transport to cut off.
        Message m;
        while ((m = undispatched.poll()) != null) {
            if (withheld(m, now)) {
                for (Attached a : subscribers) {
                    if (a.next == m.offset()) {
                        a.next = m.offset() + 1; // passed: a delayed one comes when due
                    }
                }
                continue;
            }
            // One Delivery for every subscriber, so a transport can encode the message once.
            Delivery d = Delivery.broadcast(m);
            for (Attached a : subscribers) {
                if (a.subscription.closed()) {
                    continue;
                }
                if (a.next == m.offset()) {
                    a.subscription.offer(d);
                    a.offered = true;
                    a.next = m.offset() + 1;
                } else if (a.next < m.offset() && a.room() > 0) {
                    // Behind (attached during this round, or replaying): it catches up from the store next round.
                    again = true;
                }
            }
        }
        for (Attached a : subscribers) {
            if (a.offered) {
                a.offered = false;
                a.subscription.flush();
            }
        }
        return again;
    }

    /** replay hands a chunk read from {@code from} to the subscribers at or after {@code from}, each as far as it has room. */
    private void replay(List<Message> chunk, long from, long end, long now) {
        List<Delivery> deliveries = new ArrayList<>(chunk.size());
        for (Message m : chunk) {
            if (!withheld(m, now)) {
                deliveries.add(Delivery.broadcast(m));
            }
        }
        for (Attached a : subscribers) {
            // One that attached after the chunk was read, behind it, gets its own chunk next round.
            if (a.next >= end || a.next < from || a.subscription.closed()) {
                continue;
            }
            int room = a.room();
            boolean all = true;
            for (Delivery d : deliveries) {
                if (d.message().offset() < a.next) {
                    continue;
                }
                if (room-- <= 0) {
                    all = false;
                    break;
                }
                a.subscription.offer(d);
                a.offered = true;
                a.next = d.message().offset() + 1;
            }
            if (all) {
                a.next = end;
            }
        }
    }

    /**
     * withheld says a message is not handed out now: a delayed one held back (or seen here first
     * while not due, and held from now on), or an expired one.
     */
    private boolean withheld(Message m, long now) {
        if (m.headers().isEmpty()) {
            return false;
        }
        if (held.containsKey(m.offset())) {
            return true;
        }
        long due = Scheduled.dueAt(m);
        if (due > now) {
            hold(m.offset(), due, now);
            return true;
        }
        return Scheduled.expired(m, now);
    }

    /** hold holds a delayed message back until it is due; one due already is handed out as any other. */
    private void hold(long offset, long due, long now) {
        if (due > now && held.putIfAbsent(offset, due) == null) {
            heldByDue.add(new long[] {offset, due});
        }
    }

    /**
     * releaseDue hands each held message that is due to every subscriber already past its offset;
     * one not there yet gets it when it reaches it. Read from the store one at a time: held
     * messages are kept as offsets, not in memory.
     */
    private void releaseDue(long first, long now) {
        while (!heldByDue.isEmpty() && heldByDue.peek()[1] <= now) {
            long offset = heldByDue.poll()[0];
            if (held.remove(offset) == null || offset < first || subscribers.isEmpty()) {
                continue;
            }
            List<Message> m = store.read(topic, offset, 1);
            if (m.isEmpty() || m.get(0).offset() != offset || Scheduled.expired(m.get(0), now)) {
                continue;
            }
            Delivery d = Delivery.broadcast(m.get(0));
            for (Attached a : subscribers) {
                if (!a.subscription.closed() && a.next > offset) {
                    a.subscription.offer(d);
                    a.offered = true;
                }
            }
        }
    }

    /** topicDeleted tells every subscriber and forgets them. */
    void topicDeleted() {
        for (Attached a : subscribers) {
            a.subscription.listener().onTopicDeleted(topic);
        }
        subscribers.clear();
        undispatched.clear();
        scheduled.clear();
    }
}
