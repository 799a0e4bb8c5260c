package dev.broker.loadtest.internal;

/**
 * Publisher sends its share of the run's messages: it claims sequence numbers from the
 * {@link Schedule}, waits until they are due, and sends them. Subclasses say how (HTTP requests,
 * WebSocket frames). Each publisher runs on its own thread.
 */
abstract class Publisher implements Runnable {
    protected final Arguments arguments;
    protected final Accounting accounting;
    protected final Payload payload;
    private final Schedule schedule;
    private final Schedule.Pacer pacer;

    Publisher(Arguments arguments, Accounting accounting, Payload payload, Schedule schedule, int index) {
        this.arguments = arguments;
        this.accounting = accounting;
        this.payload = payload;
        this.schedule = schedule;
        this.pacer = schedule.pacer(index);
    }

    @Override
    public final void run() {
        try {
            while (!schedule.expired(System.nanoTime())) {
                long first = schedule.claim(unit());
                if (first < 0) {
                    break;
                }
                int n = schedule.count(first, unit());
                long due = pacer.next(n);
                if (schedule.expired(due)) {
                    break;
                }
                send(first, n, due);
            }
            finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** unit is how many messages one send carries. */
    abstract int unit();

    /**
     * send sends messages {@code first} to {@code first + n - 1}, due at {@code dueNanos}, and
     * reports the outcome to the accounting, now or when the answer comes.
     */
    abstract void send(long first, int n, long dueNanos) throws InterruptedException;

    /** finish waits, for a bounded time, for the answers to sends still in flight. */
    void finish() throws InterruptedException {
    }

    /**
     * sendTime is the time a send is measured from: the due time in open loop, so that a stall
     * counts in full; now in closed loop, where a send is due whenever the last one was answered.
     */
    protected long sendTime(long dueNanos) {
        long now = System.nanoTime();
        if (arguments.openLoop()) {
            schedule.sentAt(dueNanos, now);
            return dueNanos;
        }
        return now;
    }
}
