package dev.broker.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicNameTest {

    private static BrokerException rejected(String name) {
        BrokerException e = assertThrows(BrokerException.class, () -> TopicName.of(name), "accepted '" + name + "'");
        assertEquals(ErrorCode.INVALID_TOPIC, e.code(), e.getMessage());
        return e;
    }

    private static String segments(int count) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parts.add("s" + i);
        }
        return String.join(".", parts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "user.events.login", "a", "A-Z_0-9", "dlq", "x.y-z.under_score", "123.456"})
    void acceptsValidNames(String name) {
        assertEquals(name, TopicName.of(name).value());
        assertEquals(name, TopicName.of(name).toString());
    }

    @Test
    void rejectsNullAndEmpty() {
        assertTrue(rejected("").getMessage().contains("empty"));
        assertEquals(ErrorCode.INVALID_TOPIC,
                assertThrows(BrokerException.class, () -> new TopicName(null)).code());
    }

    @Test
    void acceptsExactly255CharactersAndRejects256() {
        String max = "a".repeat(TopicName.MAX_LENGTH);
        assertEquals(255, TopicName.of(max).value().length());
        BrokerException e = rejected(max + "a");
        assertTrue(e.getMessage().contains("255"), e.getMessage());
    }

    @Test
    void acceptsSixteenSegmentsAndRejectsSeventeen() {
        assertEquals(16, TopicName.of(segments(16)).segments().length);
        BrokerException e = rejected(segments(17));
        assertTrue(e.getMessage().contains("17 segments"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {".orders", "orders.", "a..b", ".", "with space", "tab\there", "slash/x", "ümlaut",
            "colon:x", "hash#", "per%cent", "a,b", "new\nline", "trailing\n", "a.b\n"})
    void rejectsBadCharactersAndEmptySegments(String name) {
        rejected(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", ">", "user.*", "user.>", "*.events", "a*b", "a>b"})
    void rejectsWildcardsBecauseOneCannotPublishToAPattern(String name) {
        BrokerException e = rejected(name);
        assertTrue(e.getMessage().contains("pattern"), e.getMessage());
    }

    @Test
    void detectsDeadLetterTopicsByTheirDlqDotPrefix() {
        assertTrue(TopicName.of("dlq.orders").isDeadLetter());
        assertTrue(TopicName.of("dlq.user.events").isDeadLetter());
        assertFalse(TopicName.of("dlq").isDeadLetter());
        assertFalse(TopicName.of("dlqx.orders").isDeadLetter());
        assertFalse(TopicName.of("orders.dlq.x").isDeadLetter());
        assertFalse(TopicName.of("orders").isDeadLetter());
    }

    @Test
    void splitsIntoSegments() {
        assertArrayEquals(new String[] {"user", "events", "login"}, TopicName.of("user.events.login").segments());
        assertArrayEquals(new String[] {"solo"}, TopicName.of("solo").segments());
    }

    @Test
    void equalNamesAreEqualAndSortByName() {
        assertEquals(TopicName.of("a.b"), TopicName.of("a.b"));
        assertTrue(TopicName.of("a").compareTo(TopicName.of("b")) < 0);
        assertTrue(TopicName.of("b").compareTo(TopicName.of("a.b")) > 0);
        assertEquals(0, TopicName.of("x").compareTo(TopicName.of("x")));
    }
}
