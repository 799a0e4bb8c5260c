package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.AckMode;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.PublishOptions;
import dev.broker.api.Published;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ScheduledTest checks delayed messages, per-message expiry and idempotent publish against the
 * router with a clock moved by hand (docs/scheduled-and-idempotent.md).
 */
class ScheduledTest {
    private static final String T = "orders";
    private static final GroupName G = GroupName.of("workers");
    private static final GroupName OTHER = GroupName.of("auditors");

    private Fixture fx = Fixture.of("MAX_DELAY", "1h", "DEDUP_WINDOW", "2m");

    @AfterEach
    void close() {
        fx.close();
    }

    private static PublishOptions delay(Duration d) {
        return new PublishOptions(Optional.of(d), Optional.empty(), Optional.empty());
    }

    private static PublishOptions ttl(Duration d) {
        return new PublishOptions(Optional.empty(), Optional.of(d), Optional.empty());
    }

    private static PublishOptions key(String k) {
        return new PublishOptions(Optional.empty(), Optional.empty(), Optional.of(k));
    }

    private Published publish(String topic, PublishOptions options, String... data) {
        return Fixture.join(fx.router.publish(TopicName.of(topic), java.util.Arrays.stream(data).map(NewMessage::of).toList(),
                options));
    }

    private Fixture.Listener broadcast(StartFrom from) {
        Fixture.Listener l = new Fixture.Listener();
        fx.router.subscribe(new SubscribeRequest(TopicPattern.of(T), Optional.empty(), AckMode.AUTO, Optional.of(from),
                SubscribeRequest.DEFAULT_MAX_IN_FLIGHT), l);
        return l;
    }

    // ---- delay ----

    @Test
    void aDelayedMessageIsStoredAtOnceAndHandedToNoGroupBeforeItIsDue() {
        Message delayed = publish(T, delay(Duration.ofSeconds(10)), "\"later\"").messages().get(0);
        fx.publish(T, "\"now\"");
        assertEquals(0, delayed.offset(), "stored at once, with an offset");
        assertEquals(Instant.parse("2024-05-01T12:00:10Z").toString().replace("Z", ".000Z"),
                delayed.headers().get("x-deliver-at"), "it carries its due time");
        assertEquals(List.of("\"now\""), Fixture.data(fx.auto(T, G, 10)), "the later message first");
        fx.advance(Duration.ofMillis(9_999));
        assertEquals(List.of(), fx.auto(T, G, 10), "not a millisecond early");
        fx.advance(Duration.ofMillis(1));
        List<Delivery> due = fx.auto(T, G, 10);
        assertEquals(List.of(0L), Fixture.offsets(due));
        assertEquals(0, due.get(0).retryCount(), "a first delivery");
        assertEquals(List.of(), fx.auto(T, G, 10), "once");
        assertEquals(2, fx.groupStats(T, G).delivered());
        assertEquals(0, fx.groupStats(T, G).redelivered());
        assertEquals(2, fx.browse(T).size(), "browse shows it all along");
    }

    @Test
    void aGroupThatReachesADelayedMessageAfterItIsDueTakesItInOffsetOrder() {
        publish(T, delay(Duration.ofSeconds(5)), "\"a\"", "\"b\"");
        fx.publish(T, "\"c\"");
        fx.advance(Duration.ofSeconds(6));
        assertEquals(List.of(0L, 1L, 2L), Fixture.offsets(fx.auto(T, OTHER, 10)));
    }

    @Test
    void aLongPollIsWokenWhenADelayedMessageBecomesDue() {
        publish(T, delay(Duration.ofSeconds(3)), "\"x\"");
        CompletableFuture<List<Delivery>> poll = fx.poll(T, G, 10, AckMode.MANUAL, Duration.ofSeconds(30));
        assertFalse(poll.isDone(), "nothing is due yet");
        fx.advance(Duration.ofSeconds(3));
        List<Delivery> got = Fixture.join(poll);
        assertEquals(List.of(0L), Fixture.offsets(got));
        assertTrue(got.get(0).receipt().isPresent(), "leased like any other");
    }

    @Test
    void aGroupMemberGetsADelayedMessageWhenItIsDue() {
        Fixture.Listener member = new Fixture.Listener();
        fx.router.subscribe(new SubscribeRequest(TopicPattern.of(T), Optional.of(G), AckMode.AUTO, Optional.empty(),
                SubscribeRequest.DEFAULT_MAX_IN_FLIGHT), member);
        publish(T, delay(Duration.ofSeconds(2)), "\"x\"");
        fx.publish(T, "\"y\"");
        assertEquals(List.of(1L), member.offsets());
        fx.advance(Duration.ofSeconds(2));
        assertEquals(List.of(1L, 0L), member.offsets(), "the delayed one after the later one, once");
    }

    @Test
    void broadcastSubscribersGetADelayedMessageOnceWhenItIsDue() {
        Fixture.Listener live = broadcast(StartFrom.LATEST);
        publish(T, delay(Duration.ofSeconds(2)), "\"x\"");
        fx.publish(T, "\"y\"");
        Fixture.Listener replaying = broadcast(StartFrom.EARLIEST);
        assertEquals(List.of(1L), live.offsets());
        assertEquals(List.of(1L), replaying.offsets(), "a replay passes over it too while it is not due");
        fx.advance(Duration.ofSeconds(2));
        fx.publish(T, "\"z\"");
        assertEquals(List.of(1L, 0L, 2L), live.offsets());
        assertEquals(List.of(1L, 0L, 2L), replaying.offsets());
        Fixture.Listener late = broadcast(StartFrom.EARLIEST);
        assertEquals(List.of(0L, 1L, 2L), late.offsets(), "once due, a replay shows it in offset order");
        assertEquals(List.of(1L, 0L, 2L), live.offsets(), "and nobody gets it twice");
    }

    @Test
    void aDelayOverMaxDelayAndHandWrittenScheduleHeadersAreRefused() {
        assertEquals(ErrorCode.INVALID_PARAMETER, Fixture.refusal(() -> fx.router.publish(TopicName.of(T),
                List.of(NewMessage.of("1")), delay(Duration.ofHours(2)))).code());
        for (String header : List.of("x-deliver-at", "x-expires-at", "x-idempotency-key")) {
            assertEquals(ErrorCode.INVALID_HEADER, Fixture.refusal(() -> fx.router.publish(TopicName.of(T),
                    List.of(new NewMessage("1", Map.of(header, "2030-01-01T00:00:00.000Z"))))).code(), header);
        }
        assertTrue(fx.router.stats(TopicName.of(T)).isEmpty(), "nothing stored");
    }

    @Test
    void delayedMessagesSurviveARestart() {
        publish(T, delay(Duration.ofSeconds(30)), "\"x\"");
        fx.publish(T, "\"y\"");
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 5));
        assertEquals(List.of(1L), Fixture.offsets(fx.auto(T, G, 10)));
        fx.restart();
        Fixture.Listener live = broadcast(StartFrom.LATEST);
        assertEquals(List.of(), fx.auto(T, G, 10), "still not due after the restart");
        assertEquals(List.of(), fx.auto(T, OTHER, 10).stream().filter(d -> d.message().offset() == 0).toList());
        fx.advance(Duration.ofSeconds(30));
        assertEquals(List.of(0L), Fixture.offsets(fx.auto(T, G, 10)));
        assertEquals(List.of(0L), Fixture.offsets(fx.auto(T, OTHER, 10)));
        assertEquals(List.of(0L), live.offsets(), "a live subscriber after the restart gets it when due");
    }

    // ---- ttl ----

    @Test
    void anExpiredMessageIsHandedToNoOneAndCountedPerGroup() {
        publish(T, ttl(Duration.ofSeconds(5)), "\"short\"");
        fx.publish(T, "\"long\"");
        assertEquals(List.of(0L, 1L), Fixture.offsets(fx.auto(T, G, 10)), "handed out before it expires");
        fx.advance(Duration.ofSeconds(5));
        assertEquals(List.of(1L), Fixture.offsets(fx.auto(T, OTHER, 10)), "not once it has");
        assertEquals(1, fx.groupStats(T, OTHER).expired());
        assertEquals(0, fx.groupStats(T, OTHER).lag());
        assertEquals(0, fx.groupStats(T, G).expired());
        assertEquals(List.of(1L), broadcast(StartFrom.EARLIEST).offsets(), "nor to a broadcast replay");
        assertEquals(2, fx.browse(T).size(), "browse still shows it");
    }

    @Test
    void aLeasedMessageThatExpiresMayBeAckedButIsNotHandedOutAgain() {
        publish(T, ttl(Duration.ofSeconds(5)), "\"a\"", "\"b\"");
        List<Delivery> leased = fx.manual(T, G, 10);
        fx.advance(Duration.ofSeconds(6));
        assertEquals(1, fx.ack(T, G, Fixture.receipt(leased.get(0))).settled(), "an ack still counts");
        assertEquals(1, fx.nack(T, G, Fixture.receipt(leased.get(1))).settled());
        assertEquals(List.of(), fx.manual(T, G, 10), "a retry of an expired message is dropped");
        assertEquals(1, fx.groupStats(T, G).expired());
        assertEquals(0, fx.groupStats(T, G).lag());
    }

    @Test
    void aDelayedMessageWithATtlIsDeliveredBetweenTheTwo() {
        publish(T, new PublishOptions(Optional.of(Duration.ofSeconds(2)), Optional.of(Duration.ofSeconds(4)), Optional.empty()),
                "\"x\"");
        fx.advance(Duration.ofSeconds(2));
        assertEquals(List.of(0L), Fixture.offsets(fx.auto(T, G, 10)));
        fx.advance(Duration.ofSeconds(2));
        assertEquals(List.of(), fx.auto(T, OTHER, 10));
        assertEquals(1, fx.groupStats(T, OTHER).expired());
    }

    @Test
    void aDeadLetterKeepsNoneOfTheScheduleHeaders() {
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 1));
        publish(T, new PublishOptions(Optional.empty(), Optional.of(Duration.ofMinutes(5)), Optional.of("k")), "\"x\"");
        fx.nack(T, G, Fixture.receipt(fx.manual(T, G, 1).get(0)));
        Message letter = fx.browse("dlq." + T).get(0);
        assertNull(letter.headers().get("x-expires-at"));
        assertNull(letter.headers().get("x-idempotency-key"));
        fx.advance(Duration.ofMinutes(10));
        assertEquals(1, fx.auto("dlq." + T, G, 10).size(), "the dead letter does not expire with its message");
    }

    // ---- idempotency ----

    @Test
    void aRepeatedKeyStoresNothingAndGetsTheFirstAnswer() {
        Published first = publish(T, key("order-17"), "\"a\"");
        Published again = publish(T, key("order-17"), "\"b\"");
        assertFalse(first.replayed());
        assertTrue(again.replayed());
        assertEquals(first.messages().get(0).id(), again.messages().get(0).id());
        assertEquals(first.messages().get(0).offset(), again.messages().get(0).offset());
        assertEquals(first.messages().get(0).timestamp(), again.messages().get(0).timestamp());
        assertEquals(1, fx.browse(T).size());
        assertEquals("order-17", fx.browse(T).get(0).headers().get("x-idempotency-key"));
        assertFalse(publish(T, key("order-18"), "\"c\"").replayed(), "another key");
        assertFalse(publish("other", key("order-17"), "\"d\"").replayed(), "keys are per topic");
    }

    @Test
    void aKeyCoversAWholeBatchAndIsForgottenAfterItsWindowFromTheFirstPublish() {
        Published first = publish(T, key("b1"), "1", "2", "3");
        fx.advance(Duration.ofSeconds(90));
        Published again = publish(T, key("b1"), "1", "2", "3");
        assertTrue(again.replayed());
        assertEquals(first.messages().stream().map(Message::id).toList(), again.messages().stream().map(Message::id).toList());
        fx.advance(Duration.ofSeconds(30)); // two minutes after the first publish, whatever the repeat did
        Published later = publish(T, key("b1"), "1", "2", "3");
        assertFalse(later.replayed());
        assertEquals(List.of(3L, 4L, 5L), later.messages().stream().map(Message::offset).toList());
    }

    @Test
    void keysSurviveARestart() {
        Published first = publish(T, key("k"), "1", "2");
        publish(T, key("j"), "3");
        fx.advance(Duration.ofSeconds(60));
        fx.restart();
        Published again = publish(T, key("k"), "9");
        assertTrue(again.replayed());
        assertEquals(first.messages().stream().map(Message::id).toList(), again.messages().stream().map(Message::id).toList());
        assertTrue(publish(T, key("j"), "9").replayed());
        fx.advance(Duration.ofSeconds(60));
        assertFalse(publish(T, key("k"), "9").replayed(), "the window still counts from the first publish");
    }

    @Test
    void keysAreBoundedByBytesOldestForgottenFirst() {
        fx.close();
        fx = Fixture.of("DEDUP_MAX_BYTES", "2048");
        for (int i = 0; i < 20; i++) {
            publish(T, key("key-" + i), "1");
        }
        assertFalse(publish(T, key("key-0"), "1").replayed(), "the oldest key was forgotten");
        assertTrue(publish(T, key("key-19"), "1").replayed(), "the newest is remembered");
    }

    @Test
    void aKeyWhosePublishFailedIsNotRemembered() {
        fx.close();
        fx = Fixture.of("MAX_QUEUE_SIZE", "1");
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 5));
        fx.publish(T, "1");
        assertEquals(ErrorCode.TOPIC_FULL, Fixture.refusal(() -> fx.router.publish(TopicName.of(T), List.of(NewMessage.of("2")),
                key("k"))).code());
        fx.auto(T, G, 1);
        Published retry = publish(T, key("k"), "2");
        assertFalse(retry.replayed());
        assertNotEquals(0, retry.messages().get(0).offset());
    }
}
