package dev.broker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HttpApiTest drives every HTTP call of the client against a real broker and checks what a user would see. */
class HttpApiTest {
    private static TestBroker broker;
    private static BrokerClient client;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of("MAX_DELIVERIES", "2", "MAX_MESSAGE_SIZE", "1024"));
        client = BrokerClient.connect(broker.url());
    }

    @AfterAll
    static void stop() {
        client.close();
        broker.close();
    }

    @Test
    void aPublishedMessageIsConsumedWithItsDataExactlyAndItsHeaders() {
        String topic = TestBroker.topic("orders");
        String data = "{\"n\": 1.50, \"big\": 12345678901234567890, \"s\":\"\\u00e9\"}";
        Published p = client.publish(topic, data, Map.of("Source", "shop"));
        assertEquals(topic, p.topic());
        assertEquals(0, p.offset());
        Message m = client.consume(topic, ConsumeOptions.defaults()).orElseThrow();
        assertEquals(p.id(), m.id());
        assertEquals(data, m.data());
        assertEquals(Map.of("source", "shop"), m.headers());
        assertEquals(Optional.of("default"), m.group());
        assertTrue(m.receipt().isEmpty(), "an auto delivery has no receipt");
        assertEquals(Optional.empty(), client.consume(topic, ConsumeOptions.defaults()));
    }

    @Test
    void scalarDataAndValuesWrittenByJacksonComeBackAsPublished() {
        String topic = TestBroker.topic("scalars");
        client.publish(topic, "\"a \\\"quoted\\\" string\"");
        client.publish(topic, "42");
        client.publishValue(topic, Map.of("k", List.of(1, 2)));
        List<Message> got = client.consumeBatch(topic, 10, ConsumeOptions.defaults());
        assertEquals(List.of("\"a \\\"quoted\\\" string\"", "42", "{\"k\":[1,2]}"), got.stream().map(Message::data).toList());
        assertEquals("a \"quoted\" string", got.get(0).dataAs(String.class));
        assertEquals(Map.of("k", List.of(1, 2)), got.get(2).dataAs(Map.class));
    }

    @Test
    void aBatchIsStoredInOrderAndAsyncPublishesAllComplete() {
        String topic = TestBroker.topic("batch");
        List<Published> batch = client.publishBatch(topic, List.of("1", "2", "3"), Map.of("k", "v"));
        assertEquals(List.of(0L, 1L, 2L), batch.stream().map(Published::offset).toList());
        List<CompletableFuture<Published>> async = IntStream.range(0, 50)
                .mapToObj(i -> client.publishAsync(topic, "{\"i\":" + i + "}", Map.of())).toList();
        CompletableFuture.allOf(async.toArray(CompletableFuture[]::new)).join();
        assertEquals(53, client.stats(topic).messages());
        List<Message> browsed = client.browse(topic, 0, 3);
        assertEquals(List.of("1", "2", "3"), browsed.stream().map(Message::data).toList());
        assertEquals(Map.of("k", "v"), browsed.get(0).headers());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsSent() {
        String topic = TestBroker.topic("bad");
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> client.publish(topic, "{oops"));
        assertTrue(notJson.getMessage().contains("not one JSON value"), notJson.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client.publish(topic, "1 2"));
        assertThrows(IllegalArgumentException.class, () -> client.publish(topic, "1", Map.of("bad name", "v")));
        IllegalArgumentException item = assertThrows(IllegalArgumentException.class,
                () -> client.publishBatch(topic, List.of("1", "[", "3"), Map.of()));
        assertTrue(item.getMessage().startsWith("item 1 of the batch"), item.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client.consumeBatch(topic, 0, ConsumeOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> ConsumeOptions.defaults().waitingUpTo(Duration.ofSeconds(31)));
        assertThrows(IllegalArgumentException.class, () -> BrokerClient.connect("ftp://x"));
        assertTrue(client.topics().stream().noneMatch(t -> t.name().equals(topic)), "nothing was sent, so no topic was made");
    }

    @Test
    void refusalsAreTypedByTheirProblemType() {
        BrokerRefusedException badTopic = assertThrows(BrokerRefusedException.class, () -> client.publish("a..b", "1"));
        assertEquals(ErrorCode.INVALID_TOPIC, badTopic.code());
        assertEquals(400, badTopic.status());
        assertTrue(badTopic.detail().contains("a..b"), badTopic.detail());

        BrokerRefusedException reserved = assertThrows(BrokerRefusedException.class, () -> client.publish("dlq.x", "1"));
        assertEquals(ErrorCode.RESERVED_TOPIC, reserved.code());

        BrokerRefusedException tooLarge = assertThrows(BrokerRefusedException.class,
                () -> client.publish(TestBroker.topic("large"), "\"" + "x".repeat(2000) + "\""));
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, tooLarge.code());
        assertEquals(413, tooLarge.status());

        BrokerRefusedException unknown = assertThrows(BrokerRefusedException.class, () -> client.stats(TestBroker.topic("none")));
        assertEquals(ErrorCode.TOPIC_NOT_FOUND, unknown.code());
        assertEquals(404, unknown.status());

        BrokerRefusedException badGroup = assertThrows(BrokerRefusedException.class,
                () -> client.consume(TestBroker.topic("g"), ConsumeOptions.defaults().inGroup("no spaces")));
        assertEquals(ErrorCode.INVALID_GROUP, badGroup.code());
    }

    @Test
    void anUnreachableBrokerIsReportedAsUnavailable() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (BrokerClient nowhere = BrokerClient.connect("http://127.0.0.1:" + port)) {
            BrokerUnavailableException e = assertThrows(BrokerUnavailableException.class, () -> nowhere.publish("t", "1"));
            assertTrue(e.getMessage().contains("could not be reached"), e.getMessage());
        }
    }

    @Test
    void manualDeliveriesAreAckedNackedWithDelayAndReasonExtendedAndStaleReceiptsReported() {
        String topic = TestBroker.topic("manual");
        client.publishBatch(topic, List.of("1", "2"), Map.of());
        ConsumeOptions manual = ConsumeOptions.defaults().inGroup("billing").manualAck();
        List<Message> got = client.consumeBatch(topic, 2, manual);
        assertEquals(2, got.size());
        String first = got.get(0).receipt().orElseThrow();
        String second = got.get(1).receipt().orElseThrow();

        assertEquals(new Settled(1, List.of()), client.extend(topic, "billing", List.of(first)));
        assertEquals(new Settled(1, List.of()), client.ack(topic, "billing", List.of(first)));
        assertEquals(new Settled(0, List.of(first)), client.ack(topic, "billing", List.of(first)), "acked twice: stale");

        assertEquals(new Settled(1, List.of()), client.nack(topic, "billing", List.of(second), "db down", Duration.ofMillis(100)));
        Message again = client.consume(topic, manual.waitingUpTo(Duration.ofSeconds(10))).orElseThrow();
        assertEquals("2", again.data());
        assertEquals(1, again.retryCount());

        // MAX_DELIVERIES is 2: a second nack dead-letters it, with the reason.
        client.nack(topic, "billing", List.of(again.receipt().orElseThrow()), "still down", Duration.ZERO);
        List<Message> dead = client.browse("dlq." + topic, 0, 10);
        assertEquals(1, dead.size());
        assertEquals("still down", dead.get(0).headers().get("x-last-error"));
        assertEquals("billing", dead.get(0).headers().get("x-group"));

        assertEquals(1, client.redrive(topic, "billing"));
        Message redriven = client.consume(topic, manual.waitingUpTo(Duration.ofSeconds(10))).orElseThrow();
        assertEquals("2", redriven.data());
        assertEquals(0, redriven.retryCount());
        client.ack(topic, "billing", List.of(redriven.receipt().orElseThrow()));
    }

    @Test
    void aLongPollReturnsTheMessagePublishedWhileItWaits() {
        String topic = TestBroker.topic("poll");
        CompletableFuture<List<Message>> poll = client.consumeBatchAsync(topic, 5, ConsumeOptions.defaults().waitingUpTo(Duration.ofSeconds(20)));
        client.publish(topic, "\"late\"");
        assertEquals(List.of("\"late\""), poll.join().stream().map(Message::data).toList());
    }

    @Test
    void groupsTopicsStatsAndDeletion() {
        String topic = TestBroker.topic("admin");
        Group made = client.createGroup(topic, GroupSettings.named("audit").startingFrom(StartFrom.LATEST)
                .withAckTimeout(Duration.ofSeconds(45)).withMaxDeliveries(3));
        assertTrue(made.created());
        assertEquals(Duration.ofSeconds(45), made.ackTimeout());
        assertEquals(3, made.maxDeliveries());
        assertFalse(client.createGroup(topic, GroupSettings.named("audit").startingFrom(StartFrom.LATEST)
                .withAckTimeout(Duration.ofSeconds(45)).withMaxDeliveries(3)).created());
        BrokerRefusedException conflict = assertThrows(BrokerRefusedException.class,
                () -> client.createGroup(topic, GroupSettings.named("audit").withMaxDeliveries(4)));
        assertEquals(ErrorCode.GROUP_CONFLICT, conflict.code());
        assertEquals(409, conflict.status());

        client.publishBatch(topic, List.of("1", "2", "3"), Map.of());
        TopicInfo info = client.topics().stream().filter(t -> t.name().equals(topic)).findFirst().orElseThrow();
        assertEquals(new TopicInfo(topic, 3, 0, 2), info);
        TopicStats stats = client.stats(topic);
        assertEquals(3, stats.messages());
        assertEquals(3, stats.published());
        TopicStats.Group audit = stats.groups().stream().filter(g -> g.group().equals("audit")).findFirst().orElseThrow();
        assertEquals(3, audit.lag());
        assertTrue(stats.json().contains("\"groups\""), stats.json());

        client.deleteTopic(topic);
        assertTrue(client.topics().stream().noneMatch(t -> t.name().equals(topic)));
        BrokerRefusedException gone = assertThrows(BrokerRefusedException.class, () -> client.deleteTopic(topic));
        assertEquals(ErrorCode.TOPIC_NOT_FOUND, gone.code());
    }

    @Test
    void aDelayedPublishIsDueLaterAndARepeatedKeyIsStoredOnce() {
        String topic = TestBroker.topic("scheduled");
        Published delayed = client.publish(topic, "1", Map.of(), PublishOptions.NONE.withDelay(java.time.Duration.ofSeconds(2)));
        client.publish(topic, "2");
        List<Message> now = client.consumeBatch(topic, 10, ConsumeOptions.defaults());
        assertTrue(now.stream().anyMatch(m -> m.data().equals("2")), "the message published after it is not held back");
        Message later = now.stream().filter(m -> m.data().equals("1")).findFirst()
                .orElseGet(() -> client.consume(topic, ConsumeOptions.defaults().waitingUpTo(java.time.Duration.ofSeconds(10)))
                        .orElseThrow());
        assertEquals(delayed.id(), later.id());
        java.time.Instant due = java.time.Instant.parse(later.headers().get("x-deliver-at"));
        assertFalse(java.time.Instant.now().isBefore(due), "handed out before it was due at " + due);

        Published first = client.publish(topic, "3", Map.of(), PublishOptions.NONE.withIdempotencyKey("k-1"));
        Published again = client.publish(topic, "3", Map.of(), PublishOptions.NONE.withIdempotencyKey("k-1"));
        assertFalse(first.replayed());
        assertTrue(again.replayed());
        assertEquals(first.id(), again.id());
        List<Published> batch = client.publishBatch(topic, List.of("4", "5"), Map.of(), PublishOptions.NONE.withIdempotencyKey("b-1"));
        List<Published> batchAgain = client.publishBatch(topic, List.of("4", "5"), Map.of(), PublishOptions.NONE.withIdempotencyKey("b-1"));
        assertEquals(batch.stream().map(Published::id).toList(), batchAgain.stream().map(Published::id).toList());
        assertTrue(batchAgain.get(1).replayed());
        assertEquals(5, client.browse(topic, 0, 100).size(), "the repeats stored nothing");
    }
}
