package dev.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPatternTest {

    private static boolean matches(String pattern, String topic) {
        return TopicPattern.of(pattern).matches(TopicName.of(topic));
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "user.*, user.events, true",
            "user.*, user.events.login, false",
            "user.*, user, false",
            "user.*, other.events, false",
            "*.events, user.events, true",
            "*.events, user.logins, false",
            "user.*.login, user.events.login, true",
            "user.*.login, user.events.logout, false",
            "*, user, true",
            "*, user.events, false",
            "user.>, user.events, true",
            "user.>, user.events.login, true",
            "user.>, user.a.b.c.d, true",
            "user.>, user, false",
            "user.>, users.events, false",
            ">, user, true",
            ">, user.events.login, true",
            "*.>, user, false",
            "*.>, user.events, true",
            "user.events, user.events, true",
            "user.events, user.events.login, false",
            "user.events, user, false",
            "user.events, user.event, false",
    })
    void matchesSegmentBySegment(String pattern, String topic, boolean expected) {
        assertEquals(expected, matches(pattern, topic));
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", ">", "*.orders", "*.>"})
    void patternBeginningWithAWildcardDoesNotMatchDeadLetters(String pattern) {
        assertFalse(matches(pattern, "dlq.orders"), pattern);
    }

    @Test
    void patternNamingDlqExplicitlyMatchesDeadLetters() {
        assertTrue(matches("dlq.>", "dlq.orders"));
        assertTrue(matches("dlq.*", "dlq.orders"));
        assertTrue(matches("dlq.orders", "dlq.orders"));
        assertFalse(matches("dlq.*", "dlq.orders.x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {">.a", "a.>.b", "a.>.>", ">.>"})
    void rejectsGreaterThanAnywhereButLast(String pattern) {
        BrokerException e = assertThrows(BrokerException.class, () -> TopicPattern.of(pattern));
        assertEquals(ErrorCode.INVALID_TOPIC, e.code());
        assertTrue(e.getMessage().contains("last"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "a.", ".a", "a.b*", "a.*b", "a.>b", "**", "a b", "a/b", "#"})
    void rejectsMalformedPatterns(String pattern) {
        BrokerException e = assertThrows(BrokerException.class, () -> TopicPattern.of(pattern), pattern);
        assertEquals(ErrorCode.INVALID_TOPIC, e.code());
    }

    @Test
    void rejectsNullTooLongAndTooManySegments() {
        assertEquals(ErrorCode.INVALID_TOPIC, assertThrows(BrokerException.class, () -> new TopicPattern(null)).code());
        TopicPattern.of("a".repeat(255));
        assertEquals(ErrorCode.INVALID_TOPIC,
                assertThrows(BrokerException.class, () -> TopicPattern.of("a".repeat(256))).code());
        TopicPattern.of("*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.>");
        assertEquals(ErrorCode.INVALID_TOPIC,
                assertThrows(BrokerException.class, () -> TopicPattern.of("*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.>")).code());
    }

    @Test
    void exactPatternNamesOneTopic() {
        TopicPattern exact = TopicPattern.of("orders.eu");
        assertFalse(exact.isWildcard());
        assertEquals(Optional.of(TopicName.of("orders.eu")), exact.exactTopic());
        assertTrue(exact.matches(TopicName.of("orders.eu")));
        assertFalse(exact.matches(TopicName.of("orders.us")));
        assertFalse(exact.matches(TopicName.of("orders")));
        assertFalse(exact.matches(TopicName.of("orders.eu.x")));
    }

    @Test
    void wildcardPatternNamesNoSingleTopic() {
        assertTrue(TopicPattern.of("orders.*").isWildcard());
        assertTrue(TopicPattern.of("orders.>").isWildcard());
        assertEquals(Optional.empty(), TopicPattern.of("orders.*").exactTopic());
        assertEquals(Optional.empty(), TopicPattern.of(">").exactTopic());
    }
}
