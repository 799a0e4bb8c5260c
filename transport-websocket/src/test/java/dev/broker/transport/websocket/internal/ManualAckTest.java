package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats.GroupStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ManualAckTest covers at-least-once delivery over WebSocket: receipts, ack, nack, extend, lease
 * expiry, dead letters, and leases going back to the group at once when a member leaves. The
 * broker's ack timeout is a minute, so a redelivery seen within the test's deadline is not the
 * timeout's doing; the tests about timeouts set a short one on their own group.
 */
class ManualAckTest {
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of("ACK_TIMEOUT", "60s", "MAX_DELIVERIES", "3"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static void subscribeManual(WsClient c, String topic, String group) {
        c.send("type", "subscribe", "topic", topic, "group", group, "ack", "manual");
        Map<String, Object> subscribed = c.next("subscribed");
        assertEquals(Map.of("type", "subscribed", "topic", topic, "group", group, "ack", "manual", "maxInFlight", 100L),
                subscribed);
    }

    /** settle sends an ack, nack or extend and returns the reply (acked, nacked or extended). */
    private static Map<String, Object> settle(WsClient c, String type, String topic, String group, String receipt,
                                              Object... more) {
        send(c, type, topic, group, receipt, more);
        return checkReply(c.next(reply(type)), topic, group, receipt);
    }

    /**
     * nack sends a nack that redelivers to the same connection and returns the reply and the
     * redelivered message. Their order is not fixed: the broker may hand the message out again
     * before the connection has queued its reply.
     */
    private static List<Map<String, Object>> nackAndRedeliver(WsClient c, String topic, String group, String receipt,
                                                            Object... more) {
        send(c, "nack", topic, group, receipt, more);
        Map<String, Object> a = c.next();
        Map<String, Object> b = c.next();
        Map<String, Object> reply = "nacked".equals(a.get("type")) ? a : b;
        Map<String, Object> message = reply == a ? b : a;
        assertEquals("message", message.get("type"), () -> "a nacked reply and a message, not " + a + " and " + b);
        return List.of(checkReply(reply, topic, group, receipt), message);
    }

    private static void send(WsClient c, String type, String topic, String group, String receipt, Object... more) {
        Object[] frame = new Object[8 + more.length];
        Object[] head = {"type", type, "topic", topic, "group", group, "receipt", receipt};
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(more, 0, frame, head.length, more.length);
        c.send(frame);
    }

    private static String reply(String type) {
        return switch (type) {
            case "ack" -> "acked";
            case "nack" -> "nacked";
            default -> "extended";
        };
    }

    private static Map<String, Object> checkReply(Map<String, Object> reply, String topic, String group, String receipt) {
        assertEquals(topic, reply.get("topic"), reply::toString);
        assertEquals(group, reply.get("group"), reply::toString);
        assertEquals(receipt, reply.get("receipt"), reply::toString);
        assertTrue(reply.get("stale") instanceof Boolean, reply::toString);
        return reply;
    }

    private static GroupStats stats(String topic, String group) {
        return broker.broker.admin().stats(TopicName.of(topic)).orElseThrow().groups().stream()
                .filter(g -> g.name().value().equals(group)).findFirst().orElseThrow();
    }

    @Test
    void manualMemberGetsReceiptsAndAckingTwiceIsStale() {
        String topic = TestBroker.topic("ack");
        try (WsClient c = broker.connect()) {
            subscribeManual(c, topic, "workers");
            broker.publish(topic, "\"a\"", "\"b\"");
            List<Map<String, Object>> got = c.messages(2);
            Set<String> receipts = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                Map<String, Object> m = got.get(i);
                assertEquals((long) i, m.get("offset"));
                assertEquals("workers", m.get("group"));
                assertEquals(0L, m.get("retryCount"));
                assertTrue(m.get("receipt") instanceof String r && !r.isEmpty(), "a manual delivery has a receipt: " + m);
                receipts.add((String) m.get("receipt"));
            }
            assertEquals(2, receipts.size(), "each delivery has its own receipt");
            assertEquals(2, stats(topic, "workers").inFlight());

            String first = (String) got.get(0).get("receipt");
            assertEquals(false, settle(c, "ack", topic, "workers", first).get("stale"));
            assertEquals(true, settle(c, "ack", topic, "workers", first).get("stale"), "an acked receipt is stale");
            assertEquals(true, settle(c, "nack", topic, "workers", first).get("stale"), "an acked message cannot be nacked back");
            assertEquals(true, settle(c, "extend", topic, "workers", first).get("stale"));
            assertEquals(false, settle(c, "ack", topic, "workers", (String) got.get(1).get("receipt")).get("stale"));

            GroupStats g = stats(topic, "workers");
            assertEquals(0, g.lag(), "both messages are finished: " + g);
            assertEquals(0, g.inFlight());
            assertEquals(2, g.acked());
        }
    }

    @Test
    void settleFramesWithBadReceiptsOrFieldsAreAnsweredAndTheConnectionLivesOn() {
        String topic = TestBroker.topic("badsettle");
        try (WsClient c = broker.connect()) {
            subscribeManual(c, topic, "workers");
            broker.publish(topic, "1");
            String receipt = (String) c.next("message").get("receipt");

            assertEquals(true, settle(c, "ack", topic, "workers", "not-a-receipt").get("stale"));
            assertEquals(true, settle(c, "ack", topic, "workers", "0.zzzzzz").get("stale"), "a receipt of no lease is stale");
            assertEquals(true, settle(c, "ack", topic, "other-group", receipt).get("stale"), "a receipt is for its own group");
            assertEquals(true, settle(c, "ack", TestBroker.topic("nowhere"), "workers", receipt).get("stale"));

            c.send("type", "ack", "topic", topic, "group", "workers");
            assertEquals("invalid-frame", c.next("error").get("code"), "an ack needs a receipt");
            c.send("type", "ack", "topic", topic, "group", "bad group", "receipt", receipt);
            assertEquals("invalid-group", c.next("error").get("code"));
            c.send("type", "ack", "topic", "a..b", "group", "workers", "receipt", receipt);
            assertEquals("invalid-topic", c.next("error").get("code"));
            c.send("type", "nack", "topic", topic, "group", "workers", "receipt", receipt, "delay", "soon");
            assertEquals("invalid-parameter", c.next("error").get("code"));
            c.send("type", "nack", "topic", topic, "group", "workers", "receipt", receipt, "delay", "13h");
            assertEquals("invalid-parameter", c.next("error").get("code"));

            assertEquals(false, settle(c, "ack", topic, "workers", receipt).get("stale"), "the lease survived the bad frames");
        }
    }

    @Test
    void nackRedeliversAtOnceWithRetryCountPlusOneAndANewReceipt() {
        String topic = TestBroker.topic("nack");
        try (WsClient c = broker.connect()) {
            subscribeManual(c, topic, "workers");
            broker.publish(topic, "{\"job\":1}");
            Map<String, Object> first = c.next("message");

            List<Map<String, Object>> nacked = nackAndRedeliver(c, topic, "workers", (String) first.get("receipt"), "reason", "busy");
            assertEquals(false, nacked.get(0).get("stale"));
            Map<String, Object> again = nacked.get(1);
            assertEquals(first.get("id"), again.get("id"));
            assertEquals(first.get("offset"), again.get("offset"));
            assertEquals(Map.of("job", 1L), again.get("data"));
            assertEquals(1L, again.get("retryCount"));
            assertNotEquals(first.get("receipt"), again.get("receipt"));

            assertEquals(true, settle(c, "ack", topic, "workers", (String) first.get("receipt")).get("stale"),
                    "the first delivery's receipt is stale once nacked");
            assertEquals(false, settle(c, "ack", topic, "workers", (String) again.get("receipt")).get("stale"));
            assertEquals(1, stats(topic, "workers").redelivered());
        }
    }

    @Test
    void nackWithADelayRedeliversNoSooner() {
        String topic = TestBroker.topic("delay");
        try (WsClient c = broker.connect()) {
            subscribeManual(c, topic, "workers");
            broker.publish(topic, "1");
            Map<String, Object> first = c.next("message");
            long nacked = System.nanoTime();
            settle(c, "nack", topic, "workers", (String) first.get("receipt"), "delay", "700ms");
            Map<String, Object> again = c.next("message");
            long waitedMillis = (System.nanoTime() - nacked) / 1_000_000;
            assertTrue(waitedMillis >= 600, "redelivered after " + waitedMillis + " ms, before the 700 ms delay");
            assertEquals(1L, again.get("retryCount"));
        }
    }

    @Test
    void aMessageNackedMaxDeliveriesTimesGoesToTheDeadLetterTopic() {
        String topic = TestBroker.topic("dead");
        try (WsClient member = broker.connect(); WsClient dlq = broker.connect()) {
            dlq.send("type", "subscribe", "topic", "dlq." + topic);
            dlq.next("subscribed");
            subscribeManual(member, topic, "workers");
            broker.publish(topic, "{\"poison\":true}");
            Map<String, Object> m = member.next("message");
            for (int delivery = 1; delivery <= 3; delivery++) {
                assertEquals(0L, m.get("offset"));
                assertEquals(delivery - 1L, m.get("retryCount"));
                if (delivery < 3) {
                    m = nackAndRedeliver(member, topic, "workers", (String) m.get("receipt"), "reason", "cannot parse #" + delivery).get(1);
                } else {
                    settle(member, "nack", topic, "workers", (String) m.get("receipt"), "reason", "cannot parse #" + delivery);
                }
            }
            Map<String, Object> dead = dlq.next("message");
            assertEquals("dlq." + topic, dead.get("topic"));
            assertEquals(Map.of("poison", true), dead.get("data"));
            @SuppressWarnings("unchecked")
            Map<String, Object> headers = (Map<String, Object>) dead.get("headers");
            assertEquals(topic, headers.get("x-original-topic"));
            assertEquals("0", headers.get("x-original-offset"));
            assertEquals("workers", headers.get("x-group"));
            assertEquals("3", headers.get("x-delivery-count"));
            assertEquals("nack", headers.get("x-dead-letter-reason"));
            assertEquals("cannot parse #3", headers.get("x-last-error"));

            broker.publish(topic, "\"next\"");
            Map<String, Object> next = member.next("message");
            assertEquals(1L, next.get("offset"), "the dead letter is not delivered a fourth time: " + next);
        }
    }

    @Test
    void extendRenewsTheLeaseAndAnExpiredLeaseIsRedeliveredWithItsReceiptStale() throws InterruptedException {
        String topic = TestBroker.topic("extend");
        Duration ackTimeout = Duration.ofSeconds(2);
        broker.broker.admin().createGroup(TopicName.of(topic), GroupName.of("short"),
                new GroupSettings(StartFrom.EARLIEST, ackTimeout, 5));
        try (WsClient c = broker.connect()) {
            subscribeManual(c, topic, "short");
            broker.publish(topic, "\"kept\"", "\"dropped\"");
            List<Map<String, Object>> got = c.messages(2);
            String kept = (String) got.get(0).get("receipt");
            String dropped = (String) got.get(1).get("receipt");

            // Renew the first lease well within each timeout, for twice the timeout. The second
            // expires meanwhile and comes back between the replies; it is acked as it arrives.
            List<Map<String, Object>> redelivered = new ArrayList<>();
            int acked = 0;
            long end = System.nanoTime() + 2 * ackTimeout.toNanos();
            while (System.nanoTime() < end || acked < redelivered.size()) {
                send(c, "extend", topic, "short", kept);
                Map<String, Object> f;
                while (!"extended".equals((f = c.next()).get("type"))) {
                    if ("message".equals(f.get("type"))) {
                        redelivered.add(f);
                        send(c, "ack", topic, "short", (String) f.get("receipt"));
                    } else {
                        assertEquals("acked", f.get("type"), f::toString);
                        assertEquals(false, f.get("stale"), "a redelivery's receipt is fresh: " + f);
                        acked++;
                    }
                }
                assertEquals(false, checkReply(f, topic, "short", kept).get("stale"), "extended: " + f);
                Thread.sleep(200);
            }
            assertEquals(1, redelivered.size(), "only the lease that was not extended expired: " + redelivered);
            assertEquals(1L, redelivered.get(0).get("offset"));
            assertEquals(1L, redelivered.get(0).get("retryCount"));

            assertEquals(false, settle(c, "ack", topic, "short", kept).get("stale"), "the extended lease is still held");
            assertEquals(true, settle(c, "ack", topic, "short", dropped).get("stale"), "an expired lease's receipt is stale");
            assertEquals(0, stats(topic, "short").lag());
        }
    }

    @Test
    void closingTheSocketGivesLeasesToAnotherMemberAtOnce() {
        leasesGoBackWhenAMemberGoes((c, topic) -> c.close());
    }

    @Test
    void droppingTheConnectionGivesLeasesToAnotherMemberAtOnce() {
        leasesGoBackWhenAMemberGoes((c, topic) -> c.socket.abort());
    }

    @Test
    void unsubscribingGivesLeasesToAnotherMemberAtOnce() {
        leasesGoBackWhenAMemberGoes((c, topic) -> {
            c.send("type", "unsubscribe", "topic", topic, "group", "workers");
            c.next("unsubscribed");
        });
    }

    private void leasesGoBackWhenAMemberGoes(BiConsumer<WsClient, String> leave) {
        String topic = TestBroker.topic("leave");
        try (WsClient a = broker.connect(); WsClient b = broker.connect()) {
            subscribeManual(a, topic, "workers");
            broker.publish(topic, "0", "1", "2");
            List<Map<String, Object>> held = a.messages(3);
            subscribeManual(b, topic, "workers");

            leave.accept(a, topic);
            List<Map<String, Object>> taken = b.messages(3);
            for (int i = 0; i < 3; i++) {
                Map<String, Object> m = taken.get(i);
                assertEquals(held.get(i).get("id"), m.get("id"));
                assertEquals(1L, m.get("retryCount"), "a redelivery: " + m);
                assertEquals(true, settle(b, "ack", topic, "workers", (String) held.get(i).get("receipt")).get("stale"),
                        "the receipt of the member that left is stale");
                assertEquals(false, settle(b, "ack", topic, "workers", (String) m.get("receipt")).get("stale"));
            }
            assertEquals(0, stats(topic, "workers").lag());
        }
    }
}
