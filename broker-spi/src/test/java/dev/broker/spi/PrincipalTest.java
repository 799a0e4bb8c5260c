package dev.broker.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PrincipalTest checks which topics and patterns a principal's rights reach. */
class PrincipalTest {
    private static boolean covers(String right, String wanted) {
        return Principal.covers(TopicPattern.of(right), TopicPattern.of(wanted));
    }

    @Test
    void aRightCoversAPatternOnlyIfItMatchesEveryTopicThePatternCan() {
        assertTrue(covers(">", "orders.*"));
        assertTrue(covers("orders.>", "orders.*"));
        assertTrue(covers("orders.>", "orders.>"));
        assertTrue(covers("orders.>", "orders.eu.*"));
        assertTrue(covers("orders.*", "orders.*"));
        assertTrue(covers("orders.*", "orders.new"));
        assertTrue(covers("*.new", "orders.new"));
        assertFalse(covers("orders.*", "orders.>"), "orders.> reaches orders.a.b, which orders.* does not");
        assertFalse(covers("orders.new", "orders.*"));
        assertFalse(covers("orders.*", "orders.*.x"));
        assertFalse(covers("orders.*.x", "orders.*"));
        assertFalse(covers("orders.>", "orders"), "'>' needs at least one more segment");
        assertFalse(covers("*.*", "*"));
        assertFalse(covers(">", "dlq.orders"), "a leading wildcard never reaches dead letters");
        assertFalse(covers("*.orders", "dlq.orders"));
        assertTrue(covers("dlq.>", "dlq.orders"));
    }

    @Test
    void rightsOnTopics() {
        Principal p = Principal.of("svc", List.of(TopicPattern.of("orders.>")), List.of(TopicPattern.of("orders.*")), false,
                Optional.empty());
        assertTrue(p.mayPublish(TopicName.of("orders.eu.new")));
        assertFalse(p.mayPublish(TopicName.of("payments")));
        assertTrue(p.mayConsume(TopicName.of("orders.new")));
        assertFalse(p.mayConsume(TopicName.of("orders.eu.new")));
        assertFalse(p.mayConsume(TopicName.of("dlq.orders")));
        assertFalse(p.admin());
        assertEquals("svc", p.name());
        Principal open = Principal.unrestricted();
        assertTrue(open.mayPublish(TopicName.of("dlq.x")) && open.mayConsume(TopicPattern.of(">")) && open.admin());
    }
}
