package dev.broker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SubscriptionTest subscribes over the broker's real {@code /ws}: broadcasts, patterns, replays and group members. */
class SubscriptionTest {
    private static TestBroker broker;
    private static BrokerClient client;

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
        client = BrokerClient.connect(broker.url());
    }

    @AfterAll
    static void stop() {
        client.close();
        broker.close();
    }

    static <T> T next(BlockingQueue<T> q) throws InterruptedException {
        T t = q.poll(TestBroker.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(t, "nothing arrived in time");
        return t;
    }

    @Test
    void aBroadcastGetsWhatIsPublishedAfterItSubscribed() throws Exception {
        String topic = TestBroker.topic("ws");
        client.publish(topic, "\"before\"");
        BlockingQueue<Message> got = new LinkedBlockingQueue<>();
        try (Subscription s = client.subscription(topic).start(d -> got.add(d.message()))) {
            assertTrue(s.connected());
            client.publish(topic, "{\"after\":true}", Map.of("h", "1"));
            Message m = next(got);
            assertEquals("{\"after\":true}", m.data());
            assertEquals(Map.of("h", "1"), m.headers());
            assertEquals(1, m.offset());
            assertEquals(Optional.empty(), m.group());
        }
    }

    @Test
    void aPatternFromEarliestReplaysEveryMatchingTopic() throws Exception {
        String base = TestBroker.topic("pat");
        client.publish(base + ".a", "1");
        client.publish(base + ".b", "2");
        client.publish(base + ".b.deeper", "3");
        BlockingQueue<Message> got = new LinkedBlockingQueue<>();
        try (Subscription s = client.subscription(base + ".*").from(StartFrom.EARLIEST).start(d -> got.add(d.message()))) {
            List<String> topics = new ArrayList<>(List.of(next(got).topic(), next(got).topic()));
            topics.sort(null);
            assertEquals(List.of(base + ".a", base + ".b"), topics);
            client.publish(base + ".c", "4");
            assertEquals(base + ".c", next(got).topic());
            assertEquals(0, got.size(), "the deeper topic does not match one '*'");
        }
    }

    @Test
    void aBroadcastFromAnOffsetStartsThere() throws Exception {
        String topic = TestBroker.topic("from");
        client.publishBatch(topic, List.of("0", "1", "2", "3"), Map.of());
        BlockingQueue<Message> got = new LinkedBlockingQueue<>();
        try (Subscription s = client.subscription(topic).from(StartFrom.offset(2)).start(d -> got.add(d.message()))) {
            assertEquals(2, next(got).offset());
            assertEquals(3, next(got).offset());
        }
    }

    @Test
    void aManualGroupMemberAcksAndAHandlerThatThrowsNacks() throws Exception {
        String topic = TestBroker.topic("member");
        BlockingQueue<Message> got = new LinkedBlockingQueue<>();
        BlockingQueue<Settled> acks = new LinkedBlockingQueue<>();
        try (Subscription s = client.subscription(topic).group("workers").ack(AckMode.MANUAL).start(d -> {
            got.add(d.message());
            if (d.message().data().equals("\"fail\"") && d.message().retryCount() == 0) {
                throw new IllegalStateException("first try fails");
            }
            d.ack().thenAccept(acks::add);
        })) {
            client.publish(topic, "\"ok\"");
            Message ok = next(got);
            assertEquals(Optional.of("workers"), ok.group());
            assertTrue(ok.receipt().isPresent());
            assertEquals(new Settled(1, List.of()), next(acks));

            client.publish(topic, "\"fail\"");
            assertEquals(0, next(got).retryCount());
            Message again = next(got);
            assertEquals("\"fail\"", again.data());
            assertEquals(1, again.retryCount(), "the throwing handler nacked it");
            assertEquals(new Settled(1, List.of()), next(acks));
        }
        TestBroker.await("the group has finished both", () -> client.stats(topic).groups().get(0).lag() == 0);
    }

    @Test
    void aRefusedSubscriptionThrowsWithTheCode() {
        BrokerRefusedException e = assertThrows(BrokerRefusedException.class,
                () -> client.subscription("a..b").start(d -> { }));
        assertEquals(ErrorCode.INVALID_TOPIC, e.code());
        IllegalArgumentException manual = assertThrows(IllegalArgumentException.class,
                () -> client.subscription("t").ack(AckMode.MANUAL).start(d -> { }));
        assertTrue(manual.getMessage().contains("needs a group"), manual.getMessage());
    }

    @Test
    void aBroadcastDeliveryCannotBeAcked() throws Exception {
        String topic = TestBroker.topic("noack");
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        try (Subscription s = client.subscription(topic).start(got::add)) {
            client.publish(topic, "1");
            Delivery d = next(got);
            IllegalStateException e = assertThrows(IllegalStateException.class, d::ack);
            assertTrue(e.getMessage().contains("no receipt"), e.getMessage());
        }
    }
}
