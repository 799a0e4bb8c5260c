package dev.broker.loadtest.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Schedule hands publishers the sequence numbers to send until {@code messages} are out or the
 * deadline has passed, and, in open loop, the time each send is meant to happen. Thread-safe;
 * each publisher keeps its own {@link Pacer}.
 */
final class Schedule {
    private final AtomicLong next = new AtomicLong();
    private final LongAccumulator maxLate = new LongAccumulator(Math::max, 0);
    /** How late sends that waited on the tool's timer went, in nanoseconds: the tool's own lateness. */
    private final Histogram timerLate = new ConcurrentHistogram(3);
    private final long messages;
    private final Optional<Duration> duration;
    private final double rate;
    private final double ratePerPublisher;
    private final int publishers;
    private volatile long startNanos;
    private volatile long deadlineNanos;
    private volatile boolean bounded;

    /**
     * Schedule for {@code messages} messages, for at most {@code duration} from {@link #start}, at
     * {@code rate} messages a second over all {@code publishers} (0: closed loop, each publisher
     * sends as soon as its last send was answered).
     */
    Schedule(long messages, Optional<Duration> duration, double rate, int publishers) {
        this.messages = messages;
        this.duration = duration;
        this.rate = rate;
        this.ratePerPublisher = rate / publishers;
        this.publishers = publishers;
    }

    /** start starts the clock; call it before the publishers' threads start. */
    void start() {
        startNanos = System.nanoTime();
        bounded = duration.isPresent();
        deadlineNanos = startNanos + duration.map(Duration::toNanos).orElse(0L);
    }

    /** claim takes up to {@code n} sequence numbers; returns the first, or -1 when all are taken. Say how many with {@link #count}. */
    long claim(int n) {
        long first = next.getAndAdd(n);
        return first < messages ? first : -1;
    }

    /** count is how many of the {@code n} claimed from {@code first} are to be sent. */
    int count(long first, int n) {
        return (int) Math.min(n, messages - first);
    }

    /** expired is true when {@code nanos} is past the end of the run's time, if it has one. */
    boolean expired(long nanos) {
        return bounded && nanos - deadlineNanos >= 0;
    }

    /** exhausted is true when the schedule will hand out nothing more: all claimed, or past the end of the run's time. */
    boolean exhausted(long nanos) {
        return next.get() >= messages || expired(nanos);
    }

    long startNanos() {
        return startNanos;
    }

    /**
     * sentAt records that a send due at {@code dueNanos} went at {@code nowNanos}; {@code timed}
     * when it had waited on the tool's timer, so that any lateness was the tool's own (a send whose
     * slot was freed late by a slow answer is late because of the broker).
     */
    void sentAt(long dueNanos, long nowNanos, boolean timed) {
        long late = nowNanos - dueNanos;
        maxLate.accumulate(late);
        if (timed) {
            timerLate.recordValue(Math.max(0, late));
        }
    }

    /** timerLateness is a copy of how late the timed sends went, in nanoseconds. */
    Histogram timerLateness() {
        return timerLate.copy();
    }

    /** maxLateNanos is how far behind its due time the latest send of the run went. */
    long maxLateNanos() {
        return maxLate.get();
    }

    /** due is how many messages were due by {@code nowNanos} (or by the deadline, if earlier), in open loop. */
    long due(long nowNanos) {
        long end = bounded && nowNanos - deadlineNanos > 0 ? deadlineNanos : nowNanos;
        return Math.min(messages, (long) (rate * ((end - startNanos) / 1e9)));
    }

    /** pacer is the clock of publisher {@code index}. */
    Pacer pacer(int index) {
        return new Pacer(index);
    }

    /**
     * Pacer tells one publisher when to send. In open loop the n-th message is due at
     * {@code start + n / rate}, whatever happened before: a publisher that fell behind sends at
     * once, and the latency it records still runs from the due time (no coordinated omission).
     * Thread-safe: a publisher's slots ask it from the client's threads.
     */
    final class Pacer {
        private double sent;

        private Pacer(int index) {
            // Publishers start evenly spread over one interval, so their sends do not come in bursts.
            this.sent = ratePerPublisher > 0 ? (double) index / publishers : 0;
        }

        /**
         * next is the time the next send, of {@code n} messages, is due; in closed loop, now. It
         * does not wait: the publisher does, on the client's scheduler.
         */
        synchronized long next(int n) {
            if (ratePerPublisher <= 0) {
                return System.nanoTime();
            }
            long due = startNanos + (long) (sent * 1e9 / ratePerPublisher);
            sent += n;
            return due;
        }
    }
}
