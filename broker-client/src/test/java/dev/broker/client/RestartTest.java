package dev.broker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RestartTest stops a durable broker under a subscriber and under a consumer loop, starts it again
 * on the same port, and checks that the client reconnected by itself and that nothing was lost:
 * the broadcast resumed after its last offset (each message once), the loop handled every message
 * at least once.
 */
class RestartTest {
    @TempDir
    Path data;

    private static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void aBroadcastSubscriberResumesAfterItsLastOffsetAcrossARestart() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", data.toString()));
             BrokerClient client = BrokerClient.connect(broker.url())) {
            String topic = TestBroker.topic("restart");
            List<Long> offsets = new CopyOnWriteArrayList<>();
            BlockingQueue<SubscriptionEvent> events = new LinkedBlockingQueue<>();
            try (Subscription s = client.subscription(topic).from(StartFrom.EARLIEST)
                    .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).onEvent(events::add)
                    .start(d -> offsets.add(d.message().offset()))) {
                client.publishBatch(topic, numbers(0, 50), Map.of());
                TestBroker.await("the first 50 arrive", () -> offsets.size() == 50);

                broker.stop();
                TestBroker.await("the subscription sees the broker gone", () -> !s.connected());
                broker.startAgain();
                TestBroker.await("the subscription is back", s::connected);
                client.publishBatch(topic, numbers(50, 100), Map.of());
                TestBroker.await("the next 50 arrive", () -> offsets.size() >= 100);
            }
            assertEquals(IntStream.range(0, 100).mapToObj(i -> (long) i).toList(), offsets, "each offset once, in order");
            assertTrue(events.stream().anyMatch(e -> e instanceof SubscriptionEvent.Disconnected), events.toString());
            assertTrue(events.stream().anyMatch(e -> e.equals(new SubscriptionEvent.Subscribed(true))), events.toString());
        }
    }

    @Test
    void aConsumerLoopHandlesEveryMessageAcrossARestart() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", data.toString()));
             BrokerClient client = BrokerClient.connect(broker.url())) {
            String topic = TestBroker.topic("restart-loop");
            Set<String> handled = ConcurrentHashMap.newKeySet();
            List<BrokerException> errors = new CopyOnWriteArrayList<>();
            client.publishBatch(topic, numbers(0, 50), Map.of());
            try (ConsumerLoop loop = client.consumerLoop(topic).group("g").concurrency(2).pollWait(Duration.ofSeconds(1))
                    .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).onError(errors::add)
                    .start(m -> handled.add(m.data()))) {
                TestBroker.await("some are handled", () -> handled.size() >= 10);
                broker.stop();
                broker.startAgain();
                client.publishBatch(topic, numbers(50, 100), Map.of());
                TestBroker.await("all 100 are handled", () -> handled.size() == 100);
                TestBroker.await("the group has nothing left", () -> client.stats(topic).groups().get(0).lag() == 0);
            }
            assertEquals(Set.copyOf(numbers(0, 100)), handled);
        }
    }

    @Test
    void aManualGroupMemberGetsEveryMessageAcrossARestart() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", data.toString()));
             BrokerClient client = BrokerClient.connect(broker.url())) {
            String topic = TestBroker.topic("restart-member");
            // What the member received: an ack in flight at the stop may have landed unanswered, so
            // received, not acked, is what must cover every message; the group's lag shows the acks.
            Set<String> received = ConcurrentHashMap.newKeySet();
            client.publishBatch(topic, numbers(0, 50), Map.of());
            try (Subscription s = client.subscription(topic).group("members").ack(AckMode.MANUAL).maxInFlight(10)
                    .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .start(d -> {
                        received.add(d.message().data());
                        d.ack();
                    })) {
                TestBroker.await("some are received", () -> received.size() >= 10);
                broker.stop();
                broker.startAgain();
                client.publishBatch(topic, numbers(50, 100), Map.of());
                TestBroker.await("every message is received", () -> received.size() == 100);
                TestBroker.await("the group has nothing left", () -> client.stats(topic).groups().get(0).lag() == 0);
            }
            assertEquals(Set.copyOf(numbers(0, 100)), received);
        }
    }
}
