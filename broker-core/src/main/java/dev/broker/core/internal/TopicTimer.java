package dev.broker.core.internal;

import java.util.PriorityQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;

/**
 * TopicTimer keeps one topic's deadlines (lease expiries, long-poll timeouts, delayed retries)
 * and keeps one wake-up scheduled on the broker's timer thread, at the earliest of them. Not
 * thread-safe: guarded by the topic's monitor, which every caller holds (docs/threading.md).
 */
final class TopicTimer {
    /** Scheduler runs a task after a delay in milliseconds; it may return null once the broker stops. */
    interface Scheduler {
        ScheduledFuture<?> schedule(Runnable task, long delayMillis);
    }

    private final PriorityQueue<Long> deadlines = new PriorityQueue<>();
    private final Scheduler scheduler;
    private final LongSupplier clock;
    private final Runnable tick;
    private ScheduledFuture<?> scheduled;
    private long scheduledFor = Long.MAX_VALUE;

    TopicTimer(Scheduler scheduler, LongSupplier clock, Runnable tick) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.tick = tick;
    }

    /** wakeAt makes the tick run at {@code at} (epoch ms), or earlier. */
    void wakeAt(long at) {
        deadlines.add(at);
        if (at < scheduledFor) {
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            scheduledFor = at;
            scheduled = scheduler.schedule(tick, Math.max(0, at - clock.getAsLong()));
        }
    }

    /** fired forgets the deadlines that have passed and schedules the next one; the tick calls it first. */
    void fired(long now) {
        while (!deadlines.isEmpty() && deadlines.peek() <= now) {
            deadlines.poll();
        }
        scheduledFor = Long.MAX_VALUE;
        scheduled = null;
        if (!deadlines.isEmpty()) {
            wakeAt(deadlines.poll());
        }
    }

    /** cancel drops the scheduled wake-up, for a deleted topic. */
    void cancel() {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
