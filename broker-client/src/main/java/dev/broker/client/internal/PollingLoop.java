package dev.broker.client.internal;

import dev.broker.client.AckMode;
import dev.broker.client.BrokerException;
import dev.broker.client.ConsumeOptions;
import dev.broker.client.ConsumerLoop;
import dev.broker.client.Message;
import dev.broker.client.MessageHandler;
import dev.broker.client.Settled;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * PollingLoop is a {@link ConsumerLoop}: one poller thread that long-polls for as many messages as
 * there are free handler threads, and a fixed pool of {@code concurrency} handler threads. A
 * semaphore of {@code concurrency} permits is the bound: a permit is taken for each message asked
 * for and given back when its handler is done (or when the poll brought fewer). Thread-safe.
 */
public final class PollingLoop implements ConsumerLoop {
    /** The most messages one poll asks for. */
    private static final int MAX_BATCH = 100;
    private final Api api;
    private final String topic;
    private final String group;
    private final AckMode ack;
    private final int concurrency;
    private final ConsumeOptions options;
    private final Duration nackDelay;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Consumer<List<String>> onStale;
    private final Consumer<BrokerException> onError;
    private final MessageHandler handler;
    private final Semaphore free;
    private final ExecutorService handlers;
    private final Thread poller;
    private final AtomicLong handled = new AtomicLong();
    private volatile boolean closed;
    private volatile CompletableFuture<?> polling = CompletableFuture.completedFuture(null);

    /** PollingLoop is set up by {@link ConsumerLoop.Builder}; {@link #start} starts it. */
    public PollingLoop(Http http, String topic, String group, AckMode ack, int concurrency, Duration wait, Duration nackDelay,
                       Duration minBackoff, Duration maxBackoff, Consumer<List<String>> onStale,
                       Consumer<BrokerException> onError, MessageHandler handler) {
        this.api = new Api(http);
        this.topic = topic;
        this.group = group;
        this.ack = ack;
        this.concurrency = concurrency;
        this.options = new ConsumeOptions(group, ack, wait);
        this.nackDelay = nackDelay;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.onStale = onStale;
        this.onError = onError;
        this.handler = handler;
        this.free = new Semaphore(concurrency);
        this.handlers = Executors.newFixedThreadPool(concurrency, Http.daemons("broker-client-consume-" + topic));
        this.poller = new Thread(this::poll, "broker-client-poll-" + topic);
        this.poller.setDaemon(true);
    }

    /** start starts the poller thread. */
    public void start() {
        poller.start();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public long handled() {
        return handled.get();
    }

    private void poll() {
        Duration backoff = minBackoff;
        while (!closed) {
            int asked;
            try {
                free.acquire();
                asked = 1 + free.drainPermits();
                if (asked > MAX_BATCH) {
                    free.release(asked - MAX_BATCH);
                    asked = MAX_BATCH;
                }
            } catch (InterruptedException e) {
                return;
            }
            List<Message> got;
            try {
                CompletableFuture<List<Message>> f = api.consumeBatch(topic, asked, options);
                polling = f;
                got = Http.join(f);
                backoff = minBackoff;
            } catch (BrokerException e) {
                free.release(asked);
                if (closed) {
                    return;
                }
                report(e);
                try {
                    // A backoff before the next attempt, not a wait for a condition.
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException stop) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                continue;
            }
            free.release(asked - got.size());
            for (Message m : got) {
                handlers.execute(() -> handle(m));
            }
        }
    }

    private void handle(Message m) {
        try {
            try {
                handler.handle(m);
            } catch (Exception failure) {
                if (ack == AckMode.MANUAL) {
                    String reason = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
                    settle("nack", m, Optional.of(reason), nackDelay);
                }
                return;
            }
            handled.incrementAndGet();
            if (ack == AckMode.MANUAL) {
                settle("ack", m, Optional.empty(), Duration.ZERO);
            }
        } finally {
            free.release();
        }
    }

    private void settle(String kind, Message m, Optional<String> reason, Duration delay) {
        try {
            Settled s = Http.join(api.settle(kind, m.topic(), group, List.of(m.receipt().orElseThrow()), reason, delay));
            if (!s.stale().isEmpty()) {
                onStale.accept(s.stale());
            }
        } catch (BrokerException e) {
            report(e);
        }
    }

    private void report(BrokerException e) {
        try {
            onError.accept(e);
        } catch (RuntimeException ignored) {
            // a listener's failure must not stop the loop
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        poller.interrupt();
        polling.cancel(true);
        try {
            poller.join(TimeUnit.SECONDS.toMillis(10));
            handlers.shutdown();
            if (!handlers.awaitTermination(30, TimeUnit.SECONDS)) {
                handlers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handlers.shutdownNow();
        }
    }

}
