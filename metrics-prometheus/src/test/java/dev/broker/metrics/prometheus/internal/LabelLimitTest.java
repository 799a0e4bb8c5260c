package dev.broker.metrics.prometheus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LabelLimitTest {
    @Test
    void namesPastTheLimitAreFoldedAndEarlierOnesKeepTheirOwnValue() {
        LabelLimit topics = new LabelLimit("topic", 2);
        assertEquals("a", topics.valueOf("a"));
        assertEquals("b", topics.valueOf("b"));
        assertEquals(LabelLimit.OTHER, topics.valueOf("c"));
        assertEquals(LabelLimit.OTHER, topics.valueOf("d"));
        assertEquals("a", topics.valueOf("a"), "a name admitted before the limit keeps its value");
        assertEquals("b", topics.valueOf("b"));
        assertEquals(LabelLimit.OTHER, topics.valueOf("c"), "a folded name stays folded");
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LabelLimit("topic", 0));
    }
}
