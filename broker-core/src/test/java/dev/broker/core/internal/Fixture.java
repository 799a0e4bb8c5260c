package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.MessageListener;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import dev.broker.api.TopicStats.GroupStats;
import dev.broker.core.Settings;
import dev.broker.spi.BrokerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * Fixture is a router on the memory store with a clock the test moves by hand, and short ways to
 * publish, consume and settle. Time passes only through {@link #advance}, which also runs the
 * router's due timers, so no test sleeps for a lease or a long poll. Not thread-safe.
 */
final class Fixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    /** TestClock is a clock the test moves by hand. Thread-safe. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /**
     * Listener records what a push subscription receives. {@link #capacity} is a budget of messages
     * the test sets; each message received uses one unit of it. Thread-safe.
     */
    static final class Listener implements MessageListener {
        final List<Delivery> received = Collections.synchronizedList(new ArrayList<>());
        final List<TopicName> deletedTopics = new CopyOnWriteArrayList<>();
        private final AtomicInteger budget;

        Listener() {
            this(Integer.MAX_VALUE);
        }

        Listener(int budget) {
            this.budget = new AtomicInteger(budget);
        }

        @Override
        public void onMessage(Delivery delivery) {
            received.add(delivery);
            budget.updateAndGet(b -> b == Integer.MAX_VALUE ? b : b - 1);
        }

        @Override
        public int capacity() {
            return Math.max(0, budget.get());
        }

        void setBudget(int messages) {
            budget.set(messages);
        }

        @Override
        public void onTopicDeleted(TopicName topic) {
            deletedTopics.add(topic);
        }

        /** snapshot copies what was received so far. */
        List<Delivery> snapshot() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        List<Long> offsets() {
            return Fixture.offsets(snapshot());
        }

        List<String> receipts() {
            return snapshot().stream().map(Fixture::receipt).toList();
        }
    }

    final TestClock clock;
    final MemoryStore store;
    final BrokerConfig config;
    private final List<Router> routers = new ArrayList<>();
    Router router;

    private Fixture(TestClock clock, MemoryStore store, BrokerConfig config) {
        this.clock = clock;
        this.store = store;
        this.config = config;
        this.router = newRouter();
    }

    /** of makes a router whose settings are given as environment variables, name then value. */
    static Fixture of(String... settings) {
        Map<String, String> env = new HashMap<>();
        env.put("PERSISTENCE_ENABLED", "false");
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return new Fixture(new TestClock(T0), new MemoryStore(), Settings.fromEnvironment(env));
    }

    private Router newRouter() {
        Router r = new Router(config, store, clock, new Plugins(new MemoryStoreProvider(), List.of(), List.of()));
        routers.add(r);
        return r;
    }

    /** restart stops the router and starts a new one on the same store, as a restart of the process would. */
    Router restart() {
        router.close();
        router = newRouter();
        return router;
    }

    @Override
    public void close() {
        routers.forEach(Router::close);
    }

    /** advance moves the clock and runs every timer that is due by then. */
    void advance(Duration d) {
        clock.advance(d);
        router.tick();
    }

    // ---- publish ----

    List<Message> publish(String topic, String... data) {
        return join(router.publish(TopicName.of(topic), Arrays.stream(data).map(NewMessage::of).toList()));
    }

    Message publish(String topic, String data, Map<String, String> headers) {
        return join(router.publish(TopicName.of(topic), List.of(new NewMessage(data, headers)))).get(0);
    }

    /** publishNumbered publishes {@code count} messages whose data are their numbers, from {@code first}. */
    List<Message> publishNumbered(String topic, int first, int count) {
        return publish(topic, LongStream.range(first, first + count).mapToObj(Long::toString).toArray(String[]::new));
    }

    /** publishEach publishes {@code count} numbered messages one by one, so a small topic may evict between them. */
    void publishEach(String topic, int first, int count) {
        for (int i = first; i < first + count; i++) {
            publishNumbered(topic, i, 1);
        }
    }

    // ---- consume and settle ----

    List<Delivery> auto(String topic, GroupName group, int limit) {
        return join(router.consume(new ConsumeRequest(TopicName.of(topic), group, limit, AckMode.AUTO, Duration.ZERO)));
    }

    List<Delivery> manual(String topic, GroupName group, int limit) {
        return join(router.consume(new ConsumeRequest(TopicName.of(topic), group, limit, AckMode.MANUAL, Duration.ZERO)));
    }

    CompletableFuture<List<Delivery>> poll(String topic, GroupName group, int limit, AckMode ack, Duration wait) {
        return router.consume(new ConsumeRequest(TopicName.of(topic), group, limit, ack, wait)).toCompletableFuture();
    }

    SettleResult ack(String topic, GroupName group, String... receipts) {
        return join(router.ack(TopicName.of(topic), group, List.of(receipts)));
    }

    SettleResult nack(String topic, GroupName group, Optional<String> reason, Duration delay, String... receipts) {
        return join(router.nack(TopicName.of(topic), group, List.of(receipts), reason, delay));
    }

    SettleResult nack(String topic, GroupName group, String... receipts) {
        return nack(topic, group, Optional.empty(), Duration.ZERO, receipts);
    }

    SettleResult extend(String topic, GroupName group, String... receipts) {
        return join(router.extend(TopicName.of(topic), group, List.of(receipts)));
    }

    List<Message> browse(String topic) {
        return router.browse(TopicName.of(topic), 0, ConsumeRequest.MAX_LIMIT);
    }

    /** browseIfAny browses a topic, or returns nothing if it does not exist. */
    List<Message> browseIfAny(String topic) {
        return router.stats(TopicName.of(topic)).isPresent() ? browse(topic) : List.of();
    }

    TopicStats stats(String topic) {
        return router.stats(TopicName.of(topic)).orElseGet(() -> fail("no topic " + topic));
    }

    GroupStats groupStats(String topic, GroupName group) {
        return stats(topic).groups().stream().filter(g -> g.name().equals(group)).findFirst()
                .orElseGet(() -> fail("no group " + group + " on " + topic));
    }

    // ---- helpers ----

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the stage did not complete: " + e, e);
        }
    }

    /** refusal returns the refusal of a call, whether it was thrown or completed its stage. */
    static BrokerException refusal(Supplier<? extends CompletionStage<?>> call) {
        CompletionStage<?> stage;
        try {
            stage = call.get();
        } catch (BrokerException e) {
            return e;
        }
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return assertInstanceOf(BrokerException.class, e.getCause());
        }
        return fail("not refused");
    }

    static List<Long> offsets(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.message().offset()).toList();
    }

    static List<String> data(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.message().data()).toList();
    }

    static List<Integer> retryCounts(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::retryCount).toList();
    }

    static List<Long> range(long from, long to) {
        return LongStream.range(from, to).boxed().toList();
    }

    static String receipt(Delivery d) {
        assertTrue(d.receipt().isPresent(), "a manual delivery carries a receipt");
        return d.receipt().get();
    }

    static String[] receipts(List<Delivery> deliveries) {
        return deliveries.stream().map(Fixture::receipt).toArray(String[]::new);
    }
}
