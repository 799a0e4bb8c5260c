package dev.broker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ConsumerLoopTest runs the HTTP consumer loop against a real broker. */
class ConsumerLoopTest {
    private static TestBroker broker;
    private static BrokerClient client;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of("ACK_TIMEOUT", "1s"));
        client = BrokerClient.connect(broker.url());
    }

    @AfterAll
    static void stop() {
        client.close();
        broker.close();
    }

    @Test
    void everyMessageIsHandledAndAckedWithBoundedConcurrency() throws Exception {
        String topic = TestBroker.topic("loop");
        client.publishBatch(topic, IntStream.range(0, 200).mapToObj(Integer::toString).toList(), Map.of());
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (ConsumerLoop loop = client.consumerLoop(topic).group("g").concurrency(4).start(m -> {
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            seen.add(m.data());
            running.decrementAndGet();
        })) {
            TestBroker.await("all 200 are handled", () -> loop.handled() == 200);
            TestBroker.await("all 200 are acked", () -> client.stats(topic).groups().get(0).acked() == 200);
        }
        assertEquals(200, seen.size());
        assertTrue(most.get() <= 4, "at most 4 handlers at once, saw " + most.get());
        assertEquals(0, client.stats(topic).groups().get(0).lag());
    }

    @Test
    void aHandlerThatThrowsGetsTheMessageAgain() throws Exception {
        String topic = TestBroker.topic("retry");
        client.publish(topic, "\"flaky\"");
        List<Integer> tries = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ConsumerLoop loop = client.consumerLoop(topic).pollWait(Duration.ofSeconds(1)).start(m -> {
            tries.add(m.retryCount());
            if (m.retryCount() == 0) {
                throw new IllegalStateException("not yet");
            }
        })) {
            TestBroker.await("the retry is handled", () -> loop.handled() == 1);
        }
        assertEquals(List.of(0, 1), tries);
    }

    @Test
    void anAckAfterTheLeaseExpiredIsReportedStale() throws Exception {
        String topic = TestBroker.topic("stale");
        client.publish(topic, "\"slow\"");
        CountDownLatch reported = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        // Two handlers: one holds the first delivery past its lease while the other takes the redelivery.
        try (ConsumerLoop loop = client.consumerLoop(topic).concurrency(2).pollWait(Duration.ofSeconds(1))
                .onStale(stale -> reported.countDown())
                .start(m -> {
                    if (calls.incrementAndGet() == 1) {
                        // Outlive the 1 s lease: wait until the broker counts the message as redelivered.
                        long deadline = System.nanoTime() + TestBroker.DEADLINE.toNanos();
                        while (client.stats(topic).groups().get(0).redelivered() == 0 && System.nanoTime() < deadline) {
                            Thread.sleep(20);
                        }
                    }
                })) {
            assertTrue(reported.await(TestBroker.DEADLINE.toSeconds(), TimeUnit.SECONDS), "the stale receipt was reported");
            TestBroker.await("the redelivery is handled too", () -> loop.handled() == 2);
        }
    }
}
