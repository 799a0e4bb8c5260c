package dev.broker.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** AccountingTest checks how messages are counted lost, duplicated and the rest. */
class AccountingTest {

    @Test
    void aConfirmedMessageNeverReceivedIsLostAndOneReceivedTwiceIsDuplicated() {
        Accounting a = new Accounting(100, true, 0);
        a.confirmed(0, 10, 0, 1_000);
        for (long seq = 0; seq < 10; seq++) {
            if (seq != 3) {
                a.delivered(seq, 0, 2_000, 0);
            }
        }
        a.delivered(5, 0, 3_000, 1);
        Accounting.Outcome o = a.outcome();
        assertEquals(10, o.confirmed());
        assertEquals(1, o.lost());
        assertEquals(1, o.duplicated());
        assertEquals(10, o.deliveries());
        assertEquals(1, o.redelivered());
        assertTrue(o.checked());
        assertFalse(a.settled());
    }

    @Test
    void settledOnceEveryConfirmedMessageHasReachedTheGroupAndEverySubscriber() {
        Accounting a = new Accounting(10, true, 2);
        a.confirmed(0, 2, 0, 1);
        a.delivered(0, 0, 1, 0);
        a.delivered(1, 0, 1, 0);
        a.received(0, 0, 0, 1);
        a.received(0, 1, 0, 1);
        a.received(1, 0, 0, 1);
        assertFalse(a.settled());
        assertEquals(1, a.outcome().lost(), "subscriber 1 misses message 1");
        a.received(1, 1, 0, 1);
        assertTrue(a.settled());
        assertEquals(0, a.outcome().lost());
    }

    @Test
    void aFailedPublishThatArrivesAnywayIsNeitherLostNorConfirmed() {
        Accounting a = new Accounting(10, true, 0);
        a.confirmed(0, 1, 0, 1);
        a.failed(1, 2, "publish timed out after 30 s");
        a.delivered(0, 0, 1, 0);
        a.delivered(2, 0, 1, 0);
        Accounting.Outcome o = a.outcome();
        assertEquals(1, o.confirmed());
        assertEquals(2, o.failed());
        assertEquals(0, o.lost());
        assertEquals(1, o.unconfirmedDelivered());
        assertEquals(Map.of("publish timed out after 30 s", 1L), a.errors());
        assertTrue(a.settled());
    }

    @Test
    void messagesOfAnotherRunOrOutOfRangeAreCountedApart() {
        Accounting a = new Accounting(10, true, 0);
        a.delivered(10, 0, 1, 0);
        a.others(2);
        assertEquals(3, a.outcome().others());
        assertEquals(0, a.outcome().deliveries());
    }

    @Test
    void withoutReceiversNothingIsChecked() {
        Accounting a = new Accounting(10, false, 0);
        a.confirmed(0, 5, 0, 1);
        assertFalse(a.outcome().checked());
        assertEquals(0, a.outcome().lost());
    }

    @Test
    void theWarmUpCountsForLossesButNotForLatenciesAndRates() {
        Accounting a = new Accounting(10, true, 0);
        a.measureFrom(1_000);
        a.request(500);
        a.confirmed(0, 1, 500, 900_000_000);
        a.request(1_000);
        a.confirmed(1, 1, 1_000, 2_000);
        a.delivered(0, 500, 900_000_000, 0);
        assertEquals(new Accounting.Measured(1, 1, 0), a.measured());
        assertEquals(1, a.publishLatency().getTotalCount());
        assertEquals(1_000, a.publishLatency().getMaxValue(), 10);
        assertEquals(1, a.outcome().lost(), "message 1 never came, warm-up or not");
    }
}
