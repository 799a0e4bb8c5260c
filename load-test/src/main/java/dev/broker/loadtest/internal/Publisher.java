package dev.broker.loadtest.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publisher sends its share of the run's messages without a thread of its own. It has a number of
 * slots (one for an HTTP publisher, which like a wrk connection has one request in flight;
 * {@code --batch} for a WebSocket connection): each slot claims the next sequence numbers from the
 * {@link Schedule}, sends them when due, and claims again when the answer comes. In closed loop a
 * send is due at once; in open loop a slot that is free before its due time waits on the client's
 * scheduler, and one that is freed late sends at once, measured from the due time all the same.
 * Subclasses say how a send goes (HTTP requests, WebSocket frames). Thread-safe: answers arrive on
 * the client's threads.
 */
abstract class Publisher {
    /** A timer set less than this ahead is not worth it: the send goes at once. */
    private static final long SPIN_NANOS = 20_000;

    protected final Arguments arguments;
    protected final Accounting accounting;
    protected final Payload payload;
    protected final Clients clients;
    private final Schedule schedule;
    private final Schedule.Pacer pacer;
    private final AtomicInteger liveSlots = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopped;

    Publisher(Arguments arguments, Accounting accounting, Payload payload, Schedule schedule, int index, Clients clients) {
        this.arguments = arguments;
        this.accounting = accounting;
        this.payload = payload;
        this.schedule = schedule;
        this.pacer = schedule.pacer(index);
        this.clients = clients;
    }

    /** start sets every slot going; the schedule must have started. */
    final void start() {
        int n = slots();
        liveSlots.set(n);
        for (int i = 0; i < n; i++) {
            clients.execute(this::next);
        }
    }

    /**
     * next claims a slot's next send and sends it, now or when it is due; or, when the run has no
     * more to send, ends the slot. Subclasses call it when a send's answer has come (or it failed).
     */
    protected final void next() {
        if (stopped || schedule.expired(System.nanoTime())) {
            endSlot();
            return;
        }
        long first = schedule.claim(unit());
        if (first < 0) {
            endSlot();
            return;
        }
        int n = schedule.count(first, unit());
        long due = pacer.next(n);
        if (schedule.expired(due)) {
            endSlot();
            return;
        }
        long wait = due - System.nanoTime();
        if (wait > SPIN_NANOS) {
            clients.later(() -> send(first, n, due, true), wait);
        } else {
            send(first, n, due, false);
        }
    }

    /** endSlot ends a slot that cannot go on (its connection is gone); what it had claimed is accounted for already. */
    protected final void endSlot() {
        if (liveSlots.decrementAndGet() == 0) {
            done.countDown();
        }
    }

    /** await waits up to {@code millis} for every slot to end; false if some are still waiting for answers. */
    final boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    /** stop makes every slot end after its send in flight. */
    final void stop() {
        stopped = true;
    }

    /** slots is how many sends this publisher keeps in flight. */
    abstract int slots();

    /** unit is how many messages one send carries. */
    abstract int unit();

    /**
     * send sends messages {@code first} to {@code first + n - 1}, due at {@code dueNanos}
     * ({@code timed} when the send waited on the scheduler for its time), and reports the outcome to
     * the accounting when the answer comes; then it calls {@link #next}, or {@link #endSlot} if it
     * cannot go on. It must not call {@link #next} on the calling thread when it fails at once:
     * that would recurse through the rest of the run.
     */
    abstract void send(long first, int n, long dueNanos, boolean timed);

    /** abandon fails every send still waiting for an answer, with {@code why}; the run is ending. */
    abstract void abandon(String why);

    /** close lets go of the publisher's connection, if it has one of its own. */
    void close() {
    }

    /**
     * sendTime is the time a send is measured from: the due time in open loop, so that a stall
     * counts in full; now in closed loop, where a send is due whenever the last one was answered.
     * A send that waited on the scheduler and went late was late because of the tool itself: the
     * schedule keeps that lateness apart, for the report's warning.
     */
    protected long sendTime(long dueNanos, boolean timed) {
        long now = System.nanoTime();
        if (arguments.openLoop()) {
            schedule.sentAt(dueNanos, now, timed);
            return dueNanos;
        }
        return now;
    }
}
