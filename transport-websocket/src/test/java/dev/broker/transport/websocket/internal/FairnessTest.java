package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.AckMode;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FairnessTest checks that a group shares what it has among its consumers (docs/delivery.md):
 * idle members given a burst get even shares, and HTTP pollers share with WebSocket members.
 */
class FairnessTest {
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** member is a connection subscribed to the group with automatic acknowledgement. */
    private static WsClient member(String topic, String group) {
        WsClient c = broker.connect();
        c.send("type", "subscribe", "topic", topic, "group", group);
        c.next("subscribed");
        return c;
    }

    /** receive takes message frames from each client until {@code total} arrived; returns each one's offsets. */
    private static List<List<Long>> receive(List<WsClient> clients, int total) throws InterruptedException {
        List<List<Long>> got = new ArrayList<>();
        clients.forEach(c -> got.add(new ArrayList<>()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WsClient.DEADLINE_SECONDS);
        int count = 0;
        while (count < total) {
            assertTrue(System.nanoTime() < deadline, "only " + count + " of " + total + " messages arrived: " + got);
            for (int i = 0; i < clients.size(); i++) {
                Map<String, Object> f = clients.get(i).frames.poll(1, TimeUnit.MILLISECONDS);
                if (f != null && "message".equals(f.get("type"))) {
                    got.get(i).add((Long) f.get("offset"));
                    count++;
                }
            }
        }
        return got;
    }

    private static String[] data(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = Integer.toString(i);
        }
        return out;
    }

    private static void assertEachOnce(List<List<Long>> shares, int total) {
        Set<Long> all = new HashSet<>();
        shares.forEach(all::addAll);
        assertEquals(total, shares.stream().mapToInt(List::size).sum(), "no message twice");
        assertEquals(total, all.size());
    }

    @Test
    void twoIdleMembersShareABurstOfTwentyEvenly() throws Exception {
        String topic = TestBroker.topic("burst");
        try (WsClient a = member(topic, "g"); WsClient b = member(topic, "g")) {
            broker.publish(topic, data(20));
            List<List<Long>> shares = receive(List.of(a, b), 20);
            assertEachOnce(shares, 20);
            for (List<Long> share : shares) {
                assertTrue(share.size() >= 8 && share.size() <= 12, "10 +/- 2 each: " + shares.get(0).size() + " and "
                        + shares.get(1).size());
            }
        }
    }

    @Test
    void threeMembersShareThreeThousandWithinTenPercent() throws Exception {
        String topic = TestBroker.topic("thirds");
        try (WsClient a = member(topic, "g"); WsClient b = member(topic, "g"); WsClient c = member(topic, "g")) {
            for (int i = 0; i < 3; i++) {
                broker.publish(topic, data(1000));
            }
            List<List<Long>> shares = receive(List.of(a, b, c), 3000);
            assertEachOnce(shares, 3000);
            for (List<Long> share : shares) {
                assertTrue(share.size() >= 900 && share.size() <= 1100, "1000 +/- 10 % each: " + shares.get(0).size() + ", "
                        + shares.get(1).size() + ", " + shares.get(2).size());
            }
        }
    }

    @Test
    void aLongPollAndAWebSocketMemberShareABurst() throws Exception {
        String topic = TestBroker.topic("mixed");
        try (WsClient member = member(topic, "g")) {
            // The in-process call the HTTP transport makes for GET /consume/{topic}/batch?limit=100&wait=10s.
            CompletableFuture<List<Delivery>> poll = broker.broker.broker().consume(new ConsumeRequest(TopicName.of(topic),
                    GroupName.of("g"), 100, AckMode.AUTO, Duration.ofSeconds(10))).toCompletableFuture();
            broker.publish(topic, data(20));
            List<Delivery> polled = poll.get(WsClient.DEADLINE_SECONDS, TimeUnit.SECONDS);
            List<List<Long>> pushed = receive(List.of(member), 20 - polled.size());
            List<Long> polledOffsets = polled.stream().map(d -> d.message().offset()).toList();
            assertEachOnce(List.of(pushed.get(0), polledOffsets), 20);
            assertTrue(polled.size() >= 8 && polled.size() <= 12, "10 +/- 2 each: the poll got " + polled.size()
                    + ", the member " + pushed.get(0).size());
        }
    }
}
