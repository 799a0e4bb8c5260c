package dev.broker.core.internal;

import static dev.broker.core.internal.Fixture.data;
import static dev.broker.core.internal.Fixture.offsets;
import static dev.broker.core.internal.Fixture.receipt;
import static dev.broker.core.internal.Fixture.retryCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DeadLetterTest checks dead letters and their redrive (SPEC section 1). */
class DeadLetterTest {
    private static final String T = "orders";
    private static final String DLQ = "dlq.orders";
    private static final GroupName G = GroupName.of("workers");
    private static final GroupName OTHER = GroupName.of("auditors");
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final Fixture fx = Fixture.of("ACK_TIMEOUT", "10s", "MAX_DELIVERIES", "3");

    @AfterEach
    void close() {
        fx.close();
    }

    /** fails delivers the next message to the group manually and nacks it with a reason. */
    private Delivery failByNack(String reason) {
        Delivery d = fx.manual(T, G, 1).get(0);
        fx.nack(T, G, Optional.ofNullable(reason), Duration.ZERO, receipt(d));
        return d;
    }

    private Delivery failByTimeout() {
        Delivery d = fx.manual(T, G, 1).get(0);
        fx.advance(ACK_TIMEOUT);
        return d;
    }

    // ---- dead letters ----

    @Test
    void messageFailedMaxDeliveriesTimesMovesToTheDeadLetterTopicWithItsHistory() {
        Message original = fx.publish(T, "{\"order\":42}", Map.of("trace", "abc", "x-custom", "kept"));
        fx.router.createGroup(TopicName.of(T), OTHER, new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 3));

        Delivery first = failByNack("first try failed");
        String firstFailureAt = Timestamps.format(fx.clock.millis());
        fx.advance(Duration.ofSeconds(1));
        Delivery second = failByTimeout();
        fx.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), fx.browseIfAny(DLQ), "not yet: two failures");
        Delivery third = failByNack("gave up");
        assertEquals(List.of(0, 1, 2), List.of(first.retryCount(), second.retryCount(), third.retryCount()));

        List<Message> dead = fx.browse(DLQ);
        assertEquals(1, dead.size());
        Message d = dead.get(0);
        assertEquals(TopicName.of(DLQ), d.topic());
        assertEquals(original.data(), d.data());
        Map<String, String> expected = new HashMap<>(original.headers());
        expected.put("x-original-topic", T);
        expected.put("x-original-offset", "0");
        expected.put("x-original-id", original.id().toString());
        expected.put("x-group", G.value());
        expected.put("x-delivery-count", "3");
        expected.put("x-dead-letter-reason", "nack");
        expected.put("x-first-failure-at", firstFailureAt);
        expected.put("x-last-error", "gave up");
        assertEquals(expected, d.headers());

        fx.advance(ACK_TIMEOUT.multipliedBy(10));
        assertEquals(List.of(), fx.manual(T, G, 10), "finished in its group");
        assertEquals(1, fx.groupStats(T, G).deadLettered());
        assertEquals(0, fx.groupStats(T, G).lag());

        List<Delivery> other = fx.manual(T, OTHER, 10);
        assertEquals(List.of(0L), offsets(other), "another group of the topic is unaffected");
        assertEquals(List.of(0), retryCounts(other));
        assertEquals(0, fx.groupStats(T, OTHER).deadLettered());
    }

    @Test
    void reasonIsAckTimeoutWhenTheLastFailureWasAnExpiryAndLastErrorTheLastNackReason() {
        fx.publish(T, "1");
        failByNack("e1");
        failByNack("e2");
        failByTimeout();
        Map<String, String> h = fx.browse(DLQ).get(0).headers();
        assertEquals("ack-timeout", h.get("x-dead-letter-reason"));
        assertEquals("e2", h.get("x-last-error"));
        assertEquals("3", h.get("x-delivery-count"));
    }

    @Test
    void deadLetterOfExpiriesAloneHasNoLastError() {
        fx.publish(T, "1");
        String firstFailureAt = null;
        for (int i = 0; i < 3; i++) {
            failByTimeout();
            if (firstFailureAt == null) {
                firstFailureAt = Timestamps.format(fx.clock.millis());
            }
        }
        Map<String, String> h = fx.browse(DLQ).get(0).headers();
        assertEquals("ack-timeout", h.get("x-dead-letter-reason"));
        assertEquals(firstFailureAt, h.get("x-first-failure-at"), "when the first lease expired");
        assertFalse(h.containsKey("x-last-error"), h.toString());
    }

    @Test
    void deadLetterIsMovedByATimerWithoutAnyConsumer() {
        fx.publish(T, "1");
        failByNack(null);
        failByNack(null);
        fx.manual(T, G, 1);
        assertEquals(List.of(), fx.browseIfAny(DLQ));
        fx.advance(ACK_TIMEOUT);
        assertEquals(1, fx.browse(DLQ).size(), "the expiry of the last lease moved it");
    }

    @Test
    void maxDeliveriesComesFromTheGroupSettings() {
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 1));
        fx.publish(T, "1");
        failByNack("once is enough");
        assertEquals("1", fx.browse(DLQ).get(0).headers().get("x-delivery-count"));
    }

    @Test
    void deadLettersKeepTheOrderInWhichTheyFailed() {
        fx.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 1));
        fx.publishNumbered(T, 0, 3);
        List<Delivery> got = fx.manual(T, G, 3);
        fx.nack(T, G, receipt(got.get(2)));
        fx.nack(T, G, receipt(got.get(0)));
        assertEquals(List.of("2", "0"), fx.browse(DLQ).stream().map(m -> m.headers().get("x-original-offset")).toList());
        assertEquals(List.of("2", "0"), fx.browse(DLQ).stream().map(Message::data).toList());
    }

    @Test
    void deadLetterTopicIsConsumedLikeAnyTopic() {
        fx.publish(T, "{\"a\":1}");
        for (int i = 0; i < 3; i++) {
            failByNack("bad");
        }
        List<Delivery> got = fx.auto(DLQ, GroupName.of("ops"), 10);
        assertEquals(List.of("{\"a\":1}"), data(got));
        assertEquals("bad", got.get(0).message().headers().get("x-last-error"));
        assertEquals(1, fx.stats(DLQ).published());
    }

    @Test
    void publishingToADeadLetterTopicIsRefused() {
        fx.publish(T, "1");
        for (int i = 0; i < 3; i++) {
            failByNack(null);
        }
        for (String name : List.of(DLQ, "dlq.payments")) {
            assertEquals(ErrorCode.RESERVED_TOPIC, Fixture.refusal(() -> fx.router.publish(TopicName.of(name),
                    List.of(NewMessage.of("1")))).code(), name);
        }
        assertEquals(1, fx.browse(DLQ).size());
        assertTrue(fx.router.stats(TopicName.of("dlq.payments")).isEmpty());
    }

    // ---- redrive ----

    /** Dead-letters offsets 2 and 0 (in that order) for G and offset 1 for OTHER; finishes the rest. */
    private void deadLettersOfTwoGroups() {
        GroupSettings once = new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 1);
        fx.router.createGroup(TopicName.of(T), G, once);
        fx.router.createGroup(TopicName.of(T), OTHER, once);
        fx.publish(T, "m0", Map.of("trace", "t0"));
        fx.publish(T, "m1", Map.of("trace", "t1"));
        fx.publish(T, "m2", Map.of("trace", "t2"));
        List<Delivery> mine = fx.manual(T, G, 3);
        fx.nack(T, G, receipt(mine.get(2)));
        fx.nack(T, G, receipt(mine.get(0)));
        fx.ack(T, G, receipt(mine.get(1)));
        List<Delivery> theirs = fx.manual(T, OTHER, 3);
        fx.nack(T, OTHER, receipt(theirs.get(1)));
        fx.ack(T, OTHER, receipt(theirs.get(0)), receipt(theirs.get(2)));
        assertEquals(3, fx.browse(DLQ).size());
    }

    @Test
    void redriveHandsAGroupItsOwnDeadLettersOldestFirstWithRetryCountReset() {
        deadLettersOfTwoGroups();
        assertEquals(2, Fixture.join(fx.router.redrive(TopicName.of(T), G)));

        List<Delivery> back = fx.manual(T, G, 10);
        assertEquals(List.of("m2", "m0"), data(back), "in the order they were dead-lettered");
        assertEquals(List.of(0, 0), retryCounts(back));
        assertEquals("t2", back.get(0).message().headers().get("trace"), "original headers are kept");
        assertEquals("t0", back.get(1).message().headers().get("trace"));
        assertEquals(List.of(), fx.manual(T, OTHER, 10), "the other group does not see them");
        // A group created later starts at the oldest message, and still does not see them.
        assertEquals(List.of("m0", "m1", "m2"), data(fx.auto(T, GroupName.of("late"), 10)));

        fx.ack(T, G, Fixture.receipts(back));
        assertEquals(0, Fixture.join(fx.router.redrive(TopicName.of(T), G)), "nothing new to hand back");
        assertEquals(List.of(), fx.manual(T, G, 10));
    }

    @Test
    void redriveOfTheOtherGroupHandsBackOnlyItsDeadLetter() {
        deadLettersOfTwoGroups();
        assertEquals(2, Fixture.join(fx.router.redrive(TopicName.of(T), G)));
        assertEquals(1, Fixture.join(fx.router.redrive(TopicName.of(T), OTHER)));
        assertEquals(List.of("m1"), data(fx.manual(T, OTHER, 10)));
        assertEquals(List.of("m2", "m0"), data(fx.manual(T, G, 10)));
    }

    @Test
    void redrivenMessageThatFailsAgainIsDeadLetteredAgainAndCanBeRedrivenAgain() {
        deadLettersOfTwoGroups();
        fx.router.redrive(TopicName.of(T), G);
        List<Delivery> back = fx.manual(T, G, 10);
        fx.nack(T, G, receipt(back.get(1))); // m0 fails again
        fx.ack(T, G, receipt(back.get(0)));
        assertEquals(4, fx.browse(DLQ).size());
        assertEquals(1, Fixture.join(fx.router.redrive(TopicName.of(T), G)));
        assertEquals(List.of("m0"), data(fx.manual(T, G, 10)));
    }

    @Test
    void redriveSurvivesARestart() {
        deadLettersOfTwoGroups();
        assertEquals(2, Fixture.join(fx.router.redrive(TopicName.of(T), G)));
        fx.restart();
        assertEquals(0, Fixture.join(fx.router.redrive(TopicName.of(T), G)), "what was redriven is remembered");
        assertEquals(List.of("m2", "m0"), data(fx.manual(T, G, 10)));
        assertEquals(1, Fixture.join(fx.router.redrive(TopicName.of(T), OTHER)));
    }

    @Test
    void redriveWithoutDeadLettersHandsBackNothing() {
        fx.publish(T, "1");
        fx.auto(T, G, 1);
        assertEquals(0, Fixture.join(fx.router.redrive(TopicName.of(T), G)));
        assertEquals(List.of(), fx.auto(T, G, 10));
    }

    @Test
    void redriveOfAnUnknownGroupOrTopicIsRefused() {
        fx.publish(T, "1");
        fx.auto(T, G, 1);
        assertEquals(ErrorCode.GROUP_NOT_FOUND,
                Fixture.refusal(() -> fx.router.redrive(TopicName.of(T), GroupName.of("nobody"))).code());
        assertEquals(ErrorCode.TOPIC_NOT_FOUND,
                Fixture.refusal(() -> fx.router.redrive(TopicName.of("payments"), G)).code());
        assertTrue(fx.router.stats(TopicName.of("payments")).isEmpty(), "the refused redrive created no topic");
    }

    @Test
    void aRedriveLargerThanOneBrowseStreamsChunkByChunkAndMissesNothing() {
        // 1,000 messages to a browse, and at most MAX_REQUEST_SIZE bytes: 2,500 dead letters of
        // 600 bytes come back in many chunks, never all in memory at once.
        Fixture big = Fixture.of("ACK_TIMEOUT", "10s", "MAX_DELIVERIES", "1", "MAX_MESSAGE_SIZE", "1024",
                "MAX_REQUEST_SIZE", "65536", "MAX_QUEUE_SIZE", "100000");
        big.router.createGroup(TopicName.of(T), G, new GroupSettings(StartFrom.EARLIEST, ACK_TIMEOUT, 1));
        String pad = "p".repeat(600);
        for (int i = 0; i < 2500; i++) {
            big.publish(T, "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}", Map.of());
        }
        int dead = 0;
        while (dead < 2500) {
            List<Delivery> got = big.manual(T, G, 500);
            assertTrue(!got.isEmpty(), "ran out after " + dead);
            big.nack(T, G, Fixture.receipts(got));
            dead += got.size();
        }
        assertEquals(2500, Fixture.join(big.router.redrive(TopicName.of(T), G)));
        int back = 0;
        for (List<Delivery> got = big.auto(T, G, 1000); !got.isEmpty(); got = big.auto(T, G, 1000)) {
            for (Delivery d : got) {
                assertEquals("{\"i\":" + back + ",\"pad\":\"" + pad + "\"}", d.message().data());
                back++;
            }
        }
        assertEquals(2500, back, "every dead letter came back once, in order");
        assertEquals(0, Fixture.join(big.router.redrive(TopicName.of(T), G)), "and is remembered as redriven");
    }
}
