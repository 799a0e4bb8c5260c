package dev.broker.core.internal;

import dev.broker.api.TopicName;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TopicPump runs one topic's deliveries (docs/delivery.md): whoever stores, acks, nacks or times
 * out {@linkplain #request asks} for a round and returns at once; the rounds run on a delivery
 * thread, one at a time per topic, and a request made while one runs makes it go round again.
 *
 * <p>Thread-safety (docs/threading.md): {@link #request}, {@link #again} and {@link #hand} may be
 * called from any thread ({@code hand} under the topic's monitor, so the hand-outs queue in the
 * order they were made); the round and {@link #deliverHanded} run only on the thread that owns
 * {@link #pumping}, so a listener sees a topic's messages in order.
 */
final class TopicPump {
    private static final Logger LOG = LoggerFactory.getLogger(TopicPump.class);
    /** RETRY_MILLIS is how soon a round that failed (a store that cannot be read for a moment) is tried again. */
    private static final long RETRY_MILLIS = 100;

    private final TopicName topic;
    private final TopicServices.DeliveryThreads threads;
    private final TopicTimer.Scheduler timer;
    private final Runnable round;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean pumping = new AtomicBoolean();
    /**
     * handed holds deliveries decided under the topic's monitor (to members, and answers to long
     * polls) that are yet to be made, in the order they were decided; only the pump takes from it.
     */
    private final Queue<Runnable> handed = new ConcurrentLinkedQueue<>();

    /** {@code round} is one delivery round of the topic; it runs outside the topic's monitor. */
    TopicPump(TopicName topic, TopicServices.DeliveryThreads threads, TopicTimer.Scheduler timer, Runnable round) {
        this.topic = topic;
        this.threads = threads;
        this.timer = timer;
        this.round = round;
    }

    /** request asks for a round on a delivery thread; it returns at once. */
    void request() {
        requested.set(true);
        if (pumping.compareAndSet(false, true) && !threads.execute(this::run)) {
            pumping.set(false);
        }
    }

    /** again makes the running round go round once more: it left something for later. Called by the round. */
    void again() {
        requested.set(true);
    }

    /** hand queues a delivery for the pump to make; the caller then asks for a round. */
    void hand(Runnable delivery) {
        handed.add(delivery);
    }

    /** deliverHanded makes the queued deliveries, in order. Called by the round. */
    void deliverHanded() {
        for (Runnable delivery; (delivery = handed.poll()) != null; ) {
            delivery.run();
        }
    }

    /** discardHanded forgets the queued deliveries, for a deleted topic. */
    void discardHanded() {
        handed.clear();
    }

    /** run is the topic's delivery task: it owns {@link #pumping} until it returns. */
    private void run() {
        try {
            while (true) {
                while (requested.getAndSet(false)) {
                    round.run();
                }
                pumping.set(false);
                // A request that came after the last round but before the flag was down is ours.
                if (!requested.get() || !pumping.compareAndSet(false, true)) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            // A store that cannot be read for a moment must not stop delivery: try again shortly.
            LOG.warn("delivery on {} failed, retrying: {}", topic, e.toString());
            pumping.set(false);
            timer.schedule(this::request, RETRY_MILLIS);
        }
    }
}
