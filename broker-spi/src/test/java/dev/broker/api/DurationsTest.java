package dev.broker.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesEachUnit() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofHours(24), Durations.parse("24h"));
        assertEquals(Duration.ZERO, Durations.parse("0ms"));
    }

    @Test
    void bareNumberMeansSeconds() {
        assertEquals(Duration.ofSeconds(10), Durations.parse("10"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
    }

    @Test
    void ignoresSurroundingWhitespace() {
        assertEquals(Duration.ofSeconds(30), Durations.parse(" 30s "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "s", "ms", "-5s", "+5s", "1.5s", "5 s", "5d", "5sec", "30s5", "5mss",
            "1h30m", "0x10", "1234567890123"})
    void rejectsGarbage(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text), text);
        assertTrue(e.getMessage().contains("not a duration"), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    }

    @ParameterizedTest
    @CsvSource({"500, 500ms", "1500, 1500ms", "1000, 1s", "30000, 30s", "90000, 90s", "300000, 5m",
            "3600000, 1h", "86400000, 24h", "5400000, 90m", "0, 0s"})
    void formatsInTheLargestExactUnit(long millis, String expected) {
        assertEquals(expected, Durations.format(Duration.ofMillis(millis)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "1s", "30s", "5m", "24h", "90m", "1500ms"})
    void formatReadsBackAsTheSameDuration(String text) {
        Duration d = Durations.parse(text);
        assertEquals(text, Durations.format(d));
        assertEquals(d, Durations.parse(Durations.format(d)));
    }
}
