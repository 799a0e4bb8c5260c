package dev.broker.loadtest.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Accounting keeps what happened to every message of a run: whether its publish was answered
 * 2xx, how many times the consumer group and each broadcast subscriber received it, the publish
 * and publish-to-deliver latencies, and the errors by kind. From that it counts the messages that
 * were lost (answered 2xx, never received) and duplicated (received more than once by the group,
 * or by one subscriber). Thread-safe: publishers and consumers report from their own threads.
 */
final class Accounting {
    private static final int CONFIRMED = 1;
    private static final int FAILED = 2;

    private final long capacity;
    private final boolean groupConsumes;
    private final Tally published;
    private final Tally groupReceived;
    private final Tally[] subscriberReceived;
    /** Latencies in nanoseconds; auto-resizing, 3 significant digits. */
    private final Histogram publishLatency = new ConcurrentHistogram(3);
    private final Histogram deliveryLatency = new ConcurrentHistogram(3);
    private final LongAdder confirmed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder firstReceipts = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder others = new LongAdder();
    private final LongAdder measuredConfirmed = new LongAdder();
    private final LongAdder measuredRequests = new LongAdder();
    private final LongAdder measuredDeliveries = new LongAdder();
    private volatile boolean warmup;
    private volatile long measureFrom;
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong lastDelivery = new AtomicLong(Long.MIN_VALUE);

    /**
     * Outcome is the count of a run's messages by what became of them. {@code lost} and
     * {@code duplicated} add up the group and every subscriber: a message two subscribers missed
     * counts twice. They mean something only when {@code checked}, that is when someone consumed.
     */
    record Outcome(long confirmed, long failed, long requests, long deliveries, long lost, long duplicated,
                   long redelivered, long unconfirmedDelivered, long others, boolean checked) {
    }

    /**
     * Measured is what was sent at or after the end of the warm-up, for the rates; {@code requests}
     * and {@code confirmed} count publishes, {@code deliveries} receipts by the group and subscribers.
     */
    record Measured(long confirmed, long requests, long deliveries) {
    }

    /**
     * Accounting for sequence numbers below {@code capacity}, received by a consumer group if
     * {@code groupConsumes}, and by {@code subscribers} broadcast subscribers.
     */
    Accounting(long capacity, boolean groupConsumes, int subscribers) {
        this.capacity = capacity;
        this.groupConsumes = groupConsumes;
        this.published = new Tally(capacity);
        this.groupReceived = new Tally(capacity);
        this.subscriberReceived = new Tally[subscribers];
        for (int i = 0; i < subscribers; i++) {
            subscriberReceived[i] = new Tally(capacity);
        }
    }

    /**
     * measureFrom makes latencies and rates count only messages sent at or after {@code nanos}, the
     * end of the warm-up; before it is called, every message counts. Lost and duplicated messages
     * are counted over the whole run all the same.
     */
    void measureFrom(long nanos) {
        measureFrom = nanos;
        warmup = true;
    }

    private boolean measured(long sentNanos) {
        return !warmup || sentNanos - measureFrom >= 0;
    }

    /** request counts one publish request (HTTP request or WebSocket frame) sent at {@code sentNanos}. */
    void request(long sentNanos) {
        requests.increment();
        if (measured(sentNanos)) {
            measuredRequests.increment();
        }
    }

    /** confirmed records that messages {@code first} to {@code first + count - 1}, sent at {@code sentNanos}, were answered 2xx at {@code answeredNanos}. */
    void confirmed(long first, int count, long sentNanos, long answeredNanos) {
        if (measured(sentNanos)) {
            publishLatency.recordValue(Math.max(0, answeredNanos - sentNanos));
            measuredConfirmed.add(count);
        }
        for (long seq = first; seq < first + count; seq++) {
            if (published.set(seq, 0, CONFIRMED)) {
                confirmed.increment();
            }
        }
        issued.accumulateAndGet(first + count, Math::max);
        lastAnswer.accumulateAndGet(answeredNanos, Math::max);
    }

    /** failed records that the publish of messages {@code first} to {@code first + count - 1} failed, and why. */
    void failed(long first, int count, String kind) {
        for (long seq = first; seq < first + count; seq++) {
            if (published.set(seq, 0, FAILED)) {
                failed.increment();
            }
        }
        issued.accumulateAndGet(first + count, Math::max);
        error(kind);
    }

    /** error counts an error of {@code kind} that is not a failed publish (a consume, a connection). */
    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** delivered records that the group received message {@code seq} at {@code nowNanos}. */
    void delivered(long seq, long sentNanos, long nowNanos, int retryCount) {
        receive(groupReceived, seq, sentNanos, nowNanos, retryCount);
    }

    /** received records that broadcast subscriber {@code subscriber} received message {@code seq} at {@code nowNanos}. */
    void received(int subscriber, long seq, long sentNanos, long nowNanos) {
        receive(subscriberReceived[subscriber], seq, sentNanos, nowNanos, 0);
    }

    /** others counts received messages that are not this run's. */
    void others(int count) {
        if (count > 0) {
            others.add(count);
        }
    }

    private void receive(Tally tally, long seq, long sentNanos, long nowNanos, int retryCount) {
        if (!tally.holds(seq)) {
            others.increment();
            return;
        }
        deliveries.increment();
        if (retryCount > 0) {
            redelivered.increment();
        }
        if (measured(sentNanos)) {
            deliveryLatency.recordValue(Math.max(0, nowNanos - sentNanos));
            measuredDeliveries.increment();
        }
        if (tally.increment(seq) == 1) {
            firstReceipts.increment();
        }
        lastDelivery.accumulateAndGet(nowNanos, Math::max);
    }

    /** settled is true when every message answered 2xx so far has reached the group and every subscriber. */
    boolean settled() {
        long receivers = (groupConsumes ? 1 : 0) + subscriberReceived.length;
        if (firstReceipts.sum() < confirmed.sum() * receivers) {
            return false;
        }
        // Receipts of messages whose publish failed count above too: make sure.
        return outcome().lost() == 0;
    }

    /** outcome counts what became of the messages; it scans every one, so call it at the end. */
    Outcome outcome() {
        long end = Math.min(issued.get(), capacity);
        long lost = 0;
        long duplicated = 0;
        long unconfirmedDelivered = 0;
        for (long seq = 0; seq < end; seq++) {
            boolean wasConfirmed = published.get(seq) == CONFIRMED;
            boolean receivedAtAll = false;
            if (groupConsumes) {
                int n = groupReceived.get(seq);
                lost += wasConfirmed && n == 0 ? 1 : 0;
                duplicated += n > 1 ? 1 : 0;
                receivedAtAll |= n > 0;
            }
            for (Tally subscriber : subscriberReceived) {
                int n = subscriber.get(seq);
                lost += wasConfirmed && n == 0 ? 1 : 0;
                duplicated += n > 1 ? 1 : 0;
                receivedAtAll |= n > 0;
            }
            unconfirmedDelivered += !wasConfirmed && receivedAtAll ? 1 : 0;
        }
        return new Outcome(confirmed.sum(), failed.sum(), requests.sum(), deliveries.sum(), lost, duplicated,
                redelivered.sum(), unconfirmedDelivered, others.sum(), groupConsumes || subscriberReceived.length > 0);
    }

    /** measured is what was sent after the warm-up. */
    Measured measured() {
        return new Measured(measuredConfirmed.sum(), measuredRequests.sum(), measuredDeliveries.sum());
    }

    /** errors is the count of errors by kind, sorted by kind. */
    Map<String, Long> errors() {
        Map<String, Long> out = new TreeMap<>();
        errors.forEach((kind, n) -> out.put(kind, n.sum()));
        return out;
    }

    long confirmedCount() {
        return confirmed.sum();
    }

    long deliveryCount() {
        return deliveries.sum();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** lastAnswerNanos is when the last publish was answered 2xx, or Long.MIN_VALUE. */
    long lastAnswerNanos() {
        return lastAnswer.get();
    }

    /** lastDeliveryNanos is when the last message was received, or Long.MIN_VALUE. */
    long lastDeliveryNanos() {
        return lastDelivery.get();
    }

    /** publishLatency is a copy of the publish latencies so far, in nanoseconds. */
    Histogram publishLatency() {
        return publishLatency.copy();
    }

    /** deliveryLatency is a copy of the publish-to-deliver latencies so far, in nanoseconds. */
    Histogram deliveryLatency() {
        return deliveryLatency.copy();
    }
}
