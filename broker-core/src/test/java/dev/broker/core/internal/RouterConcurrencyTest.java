package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.TopicPattern;
import dev.broker.core.Settings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RouterConcurrencyTest publishes to one topic from many threads while other threads consume it with one
 * group and a broadcast subscriber listens, then checks what each of them got.
 */
class RouterConcurrencyTest {
    private static final int PUBLISHERS = 8;
    private static final int PER_PUBLISHER = 2000;
    private static final int TOTAL = PUBLISHERS * PER_PUBLISHER;
    private static final int CONSUMERS = 2;
    private static final TopicName TOPIC = TopicName.of("load.test");
    private static final GroupName GROUP = GroupName.of("workers");

    /**
     * With a queue large enough for everything, and with a small one where publishers meet TOPIC_FULL
     * and retry until the group has consumed enough.
     */
    @ParameterizedTest(name = "MAX_QUEUE_SIZE={0}")
    @ValueSource(ints = {100_000, 500})
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // guards against a hang only; not a speed target
    void everyMessageIsConsumedExactlyOnceInOrder(int maxQueueSize) throws Exception {
        Router router = new Router(Settings.fromEnvironment(Map.of("PERSISTENCE_ENABLED", "false",
                "MAX_QUEUE_SIZE", Integer.toString(maxQueueSize))), new MemoryStore(), Clock.systemUTC(),
                new Plugins(new MemoryStoreProvider(), List.of(), List.of()));
        // The group exists before anything is published, so the topic may evict only what it consumed.
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of(TOPIC.value())), d -> { }).close();
        assertEquals(List.of(), router.consume(TOPIC, GROUP, 1));

        List<Long> broadcast = new ArrayList<>(); // the listener is never called concurrently for one topic
        AtomicInteger inListener = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("load.*")), d -> {
            if (inListener.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            broadcast.add(d.message().offset());
            inListener.decrementAndGet();
        });

        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS + CONSUMERS);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean published = new AtomicBoolean();
        AtomicLong refusals = new AtomicLong();
        try {
            List<Future<List<Message>>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                int batchSize = p % 2 == 0 ? 1 : 4;
                publishers.add(pool.submit(() -> {
                    start.await();
                    List<Message> answered = new ArrayList<>();
                    for (int n = 0; n < PER_PUBLISHER; n += batchSize) {
                        List<NewMessage> batch = new ArrayList<>();
                        for (int i = n; i < n + batchSize; i++) {
                            batch.add(new NewMessage("{\"n\":" + i + "}", Map.of("p", Integer.toString(publisher),
                                    "n", Integer.toString(i))));
                        }
                        answered.addAll(publishRetryingWhileFull(router, batch, refusals));
                    }
                    return answered;
                }));
            }
            List<Future<List<Delivery>>> consumers = new ArrayList<>();
            for (int c = 0; c < CONSUMERS; c++) {
                int limit = c == 0 ? 1 : 37;
                consumers.add(pool.submit(() -> {
                    start.await();
                    List<Delivery> got = new ArrayList<>();
                    while (true) {
                        boolean done = published.get();
                        List<Delivery> batch = router.consume(TOPIC, GROUP, limit);
                        if (batch.isEmpty()) {
                            if (done) {
                                return got;
                            }
                            Thread.yield();
                        }
                        got.addAll(batch);
                    }
                }));
            }
            start.countDown();
            List<Message> answered = new ArrayList<>();
            for (Future<List<Message>> f : publishers) {
                answered.addAll(f.get());
            }
            published.set(true);
            List<List<Delivery>> perConsumer = new ArrayList<>();
            for (Future<List<Delivery>> f : consumers) {
                perConsumer.add(f.get());
            }

            // Publishers were answered with every offset from 0, once.
            List<Long> answeredOffsets = new ArrayList<>(answered.stream().map(Message::offset).toList());
            Collections.sort(answeredOffsets);
            assertEquals(range(TOTAL), answeredOffsets);

            // Each consumer got increasing offsets; together, every offset exactly once.
            List<Delivery> all = new ArrayList<>();
            for (List<Delivery> got : perConsumer) {
                for (int i = 1; i < got.size(); i++) {
                    assertTrue(got.get(i - 1).message().offset() < got.get(i).message().offset(),
                            "a consumer got offsets out of order");
                }
                all.addAll(got);
            }
            all.sort((a, b) -> Long.compare(a.message().offset(), b.message().offset()));
            assertEquals(range(TOTAL), all.stream().map(d -> d.message().offset()).toList());

            // In offset order, each publisher's messages are in the order it published them, and ids
            // sort like offsets.
            int[] nextOf = new int[PUBLISHERS];
            Message previous = null;
            for (Delivery d : all) {
                Message m = d.message();
                int p = Integer.parseInt(m.headers().get("p"));
                assertEquals(Integer.toString(nextOf[p]), m.headers().get("n"), "publisher " + p + " at offset " + m.offset());
                assertEquals("{\"n\":" + nextOf[p] + "}", m.data());
                nextOf[p]++;
                if (previous != null) {
                    assertTrue(previous.id().compareTo(m.id()) < 0, "ids out of order at offset " + m.offset());
                }
                previous = m;
            }
            for (int p = 0; p < PUBLISHERS; p++) {
                assertEquals(PER_PUBLISHER, nextOf[p]);
            }

            // The broadcast subscriber saw every message once, in offset order, one at a time.
            assertEquals(0, overlaps.get());
            assertEquals(range(TOTAL), broadcast);

            assertEquals(TOTAL, router.topics().get(0).lastOffset() + 1);
            if (maxQueueSize >= TOTAL) {
                assertEquals(0, refusals.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Message> publishRetryingWhileFull(Router router, List<NewMessage> batch, AtomicLong refusals) {
        while (true) {
            try {
                return router.publish(TOPIC, batch).toCompletableFuture().join();
            } catch (CompletionException e) {
                BrokerException refusal = assertInstanceOf(BrokerException.class, e.getCause());
                assertEquals(ErrorCode.TOPIC_FULL, refusal.code());
                refusals.incrementAndGet();
                Thread.yield();
            }
        }
    }

    private static List<Long> range(int count) {
        List<Long> out = new ArrayList<>(count);
        for (long o = 0; o < count; o++) {
            out.add(o);
        }
        return out;
    }
}
