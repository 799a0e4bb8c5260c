package dev.broker.core.internal;

import static dev.broker.core.internal.Fixture.offsets;
import static dev.broker.core.internal.Fixture.receipt;
import static dev.broker.core.internal.Fixture.retryCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.Delivery;
import dev.broker.api.GroupName;
import dev.broker.api.SettleResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LeaseTest checks manual delivery (SPEC section 1): receipts, acks, lease expiry, extend and nack. */
class LeaseTest {
    private static final String T = "orders";
    private static final GroupName G = GroupName.of("workers");
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final Fixture fx = Fixture.of("ACK_TIMEOUT", "10s", "MAX_DELIVERIES", "100");

    @AfterEach
    void close() {
        fx.close();
    }

    // ---- receipts and acks ----

    @Test
    void manualDeliveryCarriesAReceiptAndIsHandedToNoOneElseWhileLeased() {
        fx.publish(T, "0", "1");
        List<Delivery> first = fx.manual(T, G, 1);
        assertEquals(List.of(0L), offsets(first));
        Delivery d = first.get(0);
        assertEquals(Optional.of(G), d.group());
        assertEquals(0, d.retryCount());
        assertTrue(!receipt(d).isBlank());

        assertEquals(List.of(1L), offsets(fx.manual(T, G, 10)), "the leased message is skipped");
        assertEquals(List.of(), fx.auto(T, G, 10), "nor given to an automatic consumer of the group");
        fx.advance(ACK_TIMEOUT.minusMillis(1));
        assertEquals(List.of(), fx.manual(T, G, 10), "still leased just before the ack timeout");
    }

    @Test
    void receiptsOfOneConsumeAreDistinct() {
        fx.publish(T, "0", "1", "2");
        List<Delivery> got = fx.manual(T, G, 3);
        assertEquals(3, got.stream().map(Fixture::receipt).distinct().count());
    }

    @Test
    void ackFinishesTheMessageForGood() {
        fx.publish(T, "0", "1");
        String r = receipt(fx.manual(T, G, 1).get(0));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, r));

        assertEquals(List.of(1L), offsets(fx.manual(T, G, 10)));
        fx.advance(ACK_TIMEOUT.multipliedBy(3));
        assertEquals(List.of(1L), offsets(fx.manual(T, G, 10)), "only the unacked message comes back after a timeout");
        fx.advance(ACK_TIMEOUT.multipliedBy(3));
        assertTrue(!offsets(fx.manual(T, G, 10)).contains(0L), "the acked message never comes back");
    }

    @Test
    void secondAckOfAReceiptIsStale() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, r));
        assertEquals(new SettleResult(0, List.of(r)), fx.ack(T, G, r));
        assertEquals(1, fx.groupStats(T, G).acked());
    }

    @Test
    void bogusReceiptsAreStale() {
        fx.publish(T, "0");
        String good = receipt(fx.manual(T, G, 1).get(0));
        String leaseId = good.substring(good.indexOf('.') + 1);
        List<String> bogus = List.of("", "x", ".", "0.", ".1", "not-a-receipt", "0.0", "0.zzzzzzzzzzzz",
                "1." + leaseId, "-1." + leaseId, "zzzzzzzzzzzzzzzzzzzz." + leaseId, good + "0", good + ".1", " " + good);
        for (String b : bogus) {
            assertEquals(new SettleResult(0, List.of(b)), fx.ack(T, G, b), "ack '" + b + "'");
            assertEquals(new SettleResult(0, List.of(b)), fx.nack(T, G, b), "nack '" + b + "'");
            assertEquals(new SettleResult(0, List.of(b)), fx.extend(T, G, b), "extend '" + b + "'");
        }
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, good), "the real lease was not disturbed");
    }

    @Test
    void aReceiptMadeUpFromANeighbouringOneSettlesNothing() {
        fx.publish(T, "0", "1");
        String mine = receipt(fx.manual(T, G, 1).get(0));
        String[] parts = mine.split("\\.");
        assertEquals(3, parts.length, mine);
        assertTrue(parts[2].length() >= 16, "the tag carries at least 96 bits: " + mine);
        // The next message's lease is the next offset and, most likely, the next lease id.
        long leaseId = Long.parseLong(parts[1], 36);
        for (long guess = leaseId - 2; guess <= leaseId + 2; guess++) {
            String forged = "1." + Long.toString(guess, 36) + "." + parts[2];
            assertEquals(new SettleResult(0, List.of(forged)), fx.ack(T, G, forged), forged);
        }
        String theirs = receipt(fx.manual(T, G, 1).get(0));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, theirs), "the real receipt still works");
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, mine));
    }

    @Test
    void mixedReceiptsSettleTheValidOnesAndReportTheRest() {
        fx.publish(T, "0", "1");
        List<Delivery> got = fx.manual(T, G, 2);
        SettleResult r = fx.ack(T, G, receipt(got.get(0)), "bogus", receipt(got.get(1)));
        assertEquals(new SettleResult(2, List.of("bogus")), r);
    }

    @Test
    void receiptOfAnotherGroupIsStale() {
        GroupName other = GroupName.of("auditors");
        fx.publish(T, "0");
        String mine = receipt(fx.manual(T, G, 1).get(0));
        String theirs = receipt(fx.manual(T, other, 1).get(0));
        assertNotEquals(mine, theirs);

        assertEquals(new SettleResult(0, List.of(mine)), fx.ack(T, other, mine));
        assertEquals(new SettleResult(0, List.of(mine)), fx.ack(T, GroupName.of("nobody"), mine));
        assertEquals(new SettleResult(0, List.of(mine)), fx.ack("payments", G, mine), "nor of another topic");
        // Nothing was finished by the misdirected acks: both leases still stand and can be acked.
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, other, theirs));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, mine));
    }

    @Test
    void aReceiptIsBoundToItsLeaseNotToItsOffset() {
        fx.publish(T, "0");
        String first = receipt(fx.manual(T, G, 1).get(0));
        fx.advance(ACK_TIMEOUT);
        String second = receipt(fx.manual(T, G, 1).get(0));
        assertNotEquals(first, second);
        assertEquals(new SettleResult(0, List.of(first)), fx.ack(T, G, first));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, second));
    }

    // ---- lease expiry and extend ----

    @Test
    void expiredLeaseIsHandedOutAgainWithTheRetryCountRaised() {
        fx.publish(T, "0");
        String first = receipt(fx.manual(T, G, 1).get(0));
        fx.advance(ACK_TIMEOUT);

        List<Delivery> again = fx.manual(T, G, 10);
        assertEquals(List.of(0L), offsets(again));
        assertEquals(List.of(1), retryCounts(again));
        assertEquals(new SettleResult(0, List.of(first)), fx.ack(T, G, first), "the old receipt is stale");

        fx.advance(ACK_TIMEOUT);
        List<Delivery> third = fx.manual(T, G, 10);
        assertEquals(List.of(2), retryCounts(third));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, receipt(third.get(0))));
        assertEquals(List.of(), fx.manual(T, G, 10));
    }

    @Test
    void expiredLeaseIsStaleEvenBeforeAnyTimerRan() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        fx.clock.advance(ACK_TIMEOUT); // no tick
        assertEquals(new SettleResult(0, List.of(r)), fx.ack(T, G, r));
        assertEquals(List.of(1), retryCounts(fx.manual(T, G, 1)));
    }

    @Test
    void expiredLeaseGoesToTheNextConsumerOfTheGroupAutomaticOnesToo() {
        fx.publish(T, "0");
        fx.manual(T, G, 1);
        fx.advance(ACK_TIMEOUT);
        List<Delivery> got = fx.auto(T, G, 1);
        assertEquals(List.of(0L), offsets(got));
        assertEquals(List.of(1), retryCounts(got));
        assertEquals(List.of(), got.stream().flatMap(d -> d.receipt().stream()).toList());
        fx.advance(ACK_TIMEOUT.multipliedBy(2));
        assertEquals(List.of(), fx.manual(T, G, 1), "finished by the automatic delivery");
    }

    @Test
    void extendRenewsTheLeaseFromNow() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        fx.advance(Duration.ofSeconds(8));
        assertEquals(new SettleResult(1, List.of()), fx.extend(T, G, r));
        fx.advance(Duration.ofSeconds(8)); // 16 s after the delivery, 8 s after the extend
        assertEquals(List.of(), fx.manual(T, G, 1), "the extended lease holds");
        fx.advance(Duration.ofMillis(1999)); // 1 ms before the new deadline
        assertEquals(List.of(), fx.manual(T, G, 1));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, r), "the receipt stays valid");
        fx.advance(ACK_TIMEOUT.multipliedBy(2));
        assertEquals(List.of(), fx.manual(T, G, 1));
    }

    @Test
    void extendedLeaseStillExpiresAtItsNewDeadline() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        fx.advance(Duration.ofSeconds(8));
        fx.extend(T, G, r);
        fx.advance(Duration.ofSeconds(10)); // the new deadline
        List<Delivery> again = fx.manual(T, G, 1);
        assertEquals(List.of(0L), offsets(again));
        assertEquals(List.of(1), retryCounts(again));
        assertEquals(new SettleResult(0, List.of(r)), fx.extend(T, G, r), "an expired lease cannot be extended");
    }

    @Test
    void extendingOneLeaseDoesNotDelayTheExpiryOfAnother() {
        fx.publish(T, "0", "1");
        String first = receipt(fx.manual(T, G, 1).get(0)); // deadline 10 s
        fx.advance(Duration.ofSeconds(1));
        String second = receipt(fx.manual(T, G, 1).get(0)); // deadline 11 s
        fx.advance(Duration.ofSeconds(8));
        assertEquals(new SettleResult(1, List.of()), fx.extend(T, G, first)); // deadline 19 s
        fx.advance(Duration.ofSeconds(3)); // 12 s: the second lease is over, the first is not

        assertEquals(new SettleResult(0, List.of(second)), fx.ack(T, G, second));
        List<Delivery> again = fx.manual(T, G, 10);
        assertEquals(List.of(1L), offsets(again), "the second message is handed out again at its own deadline");
        assertEquals(List.of(1), retryCounts(again));
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, first));
    }

    @Test
    void extendOfASettledLeaseIsStale() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        fx.ack(T, G, r);
        assertEquals(new SettleResult(0, List.of(r)), fx.extend(T, G, r));
    }

    @Test
    void groupAckTimeoutComesFromItsSettings() {
        fx.router.createGroup(dev.broker.api.TopicName.of(T), G,
                new dev.broker.api.GroupSettings(dev.broker.api.StartFrom.EARLIEST, Duration.ofSeconds(2), 5));
        fx.publish(T, "0");
        fx.manual(T, G, 1);
        fx.advance(Duration.ofMillis(1999));
        assertEquals(List.of(), fx.manual(T, G, 1));
        fx.advance(Duration.ofMillis(1));
        assertEquals(List.of(1), retryCounts(fx.manual(T, G, 1)), "expired after the group's 2 s, not ACK_TIMEOUT");
    }

    // ---- nack ----

    @Test
    void nackHandsTheMessageOutAgainAtOnce() {
        fx.publish(T, "0", "1");
        List<Delivery> got = fx.manual(T, G, 2);
        assertEquals(new SettleResult(1, List.of()), fx.nack(T, G, receipt(got.get(1))));
        List<Delivery> again = fx.manual(T, G, 10);
        assertEquals(List.of(1L), offsets(again));
        assertEquals(List.of(1), retryCounts(again));
        String stale = receipt(got.get(1));
        assertEquals(new SettleResult(0, List.of(stale)), fx.ack(T, G, stale), "a nacked receipt is stale");
        assertEquals(new SettleResult(0, List.of(stale)), fx.nack(T, G, stale));
    }

    @Test
    void nackWithDelayHoldsTheMessageBackUntilTheDelayIsOver() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        fx.nack(T, G, Optional.of("busy"), Duration.ofSeconds(5), r);
        assertEquals(List.of(), fx.manual(T, G, 1));
        fx.advance(Duration.ofMillis(4999));
        assertEquals(List.of(), fx.manual(T, G, 1));
        assertEquals(List.of(), fx.auto(T, G, 1));
        fx.advance(Duration.ofMillis(1));
        List<Delivery> again = fx.manual(T, G, 1);
        assertEquals(List.of(0L), offsets(again));
        assertEquals(List.of(1), retryCounts(again));
    }

    @Test
    void delayedRetryDoesNotHoldBackLaterMessages() {
        fx.publish(T, "0");
        fx.nack(T, G, Optional.empty(), Duration.ofMinutes(1), receipt(fx.manual(T, G, 1).get(0)));
        fx.publish(T, "1", "2");
        assertEquals(List.of(1L, 2L), offsets(fx.auto(T, G, 10)));
        fx.advance(Duration.ofMinutes(1));
        assertEquals(List.of(0L), offsets(fx.auto(T, G, 10)));
    }

    @Test
    void retryDueComesBeforeNewMessages() {
        fx.publish(T, "0", "1", "2");
        List<Delivery> got = fx.manual(T, G, 1);
        fx.nack(T, G, receipt(got.get(0)));
        assertEquals(List.of(0L, 1L, 2L), offsets(fx.manual(T, G, 10)));
    }

    @Test
    void delayedRetryCompletesALongPollWaitingForIt() {
        fx.publish(T, "0");
        fx.nack(T, G, Optional.empty(), Duration.ofSeconds(5), receipt(fx.manual(T, G, 1).get(0)));
        var poll = fx.poll(T, G, 1, dev.broker.api.AckMode.AUTO, Duration.ofSeconds(30));
        assertTrue(!poll.isDone());
        fx.advance(Duration.ofSeconds(5));
        List<Delivery> got = Fixture.join(poll);
        assertEquals(List.of(0L), offsets(got));
        assertEquals(List.of(1), retryCounts(got));
    }

    @Test
    void nackRefusesADelayOutOfRange() {
        fx.publish(T, "0");
        String r = receipt(fx.manual(T, G, 1).get(0));
        assertEquals(dev.broker.api.ErrorCode.INVALID_PARAMETER,
                Fixture.refusal(() -> fx.router.nack(dev.broker.api.TopicName.of(T), G, List.of(r), Optional.empty(),
                        Duration.ofSeconds(-1))).code());
        assertEquals(new SettleResult(1, List.of()), fx.ack(T, G, r), "the refused nack changed nothing");
    }

    @Test
    void redeliveriesAreCounted() {
        fx.publish(T, "0", "1");
        List<Delivery> got = fx.manual(T, G, 2);
        fx.nack(T, G, receipt(got.get(0)));
        fx.advance(ACK_TIMEOUT);
        List<Delivery> again = fx.manual(T, G, 10);
        assertEquals(List.of(0L, 1L), offsets(again));
        var stats = fx.groupStats(T, G);
        assertEquals(4, stats.delivered());
        assertEquals(2, stats.redelivered());
        assertEquals(0, stats.acked());
        assertEquals(2, stats.inFlight());
    }
}
