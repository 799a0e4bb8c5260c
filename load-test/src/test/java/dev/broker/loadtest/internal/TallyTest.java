package dev.broker.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** TallyTest checks the per-message counters across chunk and page boundaries. */
class TallyTest {

    @Test
    void countsEachSequenceNumberApartAcrossChunksAndPages() {
        Tally t = new Tally(Arguments.UNLIMITED);
        long[] seqs = {0, 4095, 4096, (1L << 22) - 1, 1L << 22, Arguments.UNLIMITED - 1};
        for (long seq : seqs) {
            assertEquals(0, t.get(seq));
            assertEquals(1, t.increment(seq));
        }
        assertEquals(2, t.increment(4096));
        assertEquals(1, t.get(4095));
        assertEquals(0, t.get(4097));
        assertTrue(t.set(7, 0, 2));
        assertFalse(t.set(7, 0, 1));
        assertEquals(2, t.get(7));
        assertTrue(t.holds(Arguments.UNLIMITED - 1));
        assertFalse(t.holds(Arguments.UNLIMITED));
        assertFalse(t.holds(-1));
    }
}
