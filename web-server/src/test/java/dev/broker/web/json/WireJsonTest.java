package dev.broker.web.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireJsonTest {
    private static final DateTimeFormatter RFC_3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void timestampsAreRfc3339UtcWithMillisecondsWhateverTheSecondBefore() {
        Random random = new Random(7);
        long base = Instant.parse("2026-12-02T16:27:13.862Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            // Runs of the same second, jumps between seconds and years, and the edges of a second.
            long millis = switch (i % 4) {
                case 0 -> base + random.nextInt(3_000);
                case 1 -> base - random.nextInt(1_000_000_000);
                case 2 -> (base / 1000) * 1000 + (i % 8 == 2 ? 0 : 999);
                default -> random.nextLong(0, 253_402_300_799_999L);
            };
            Instant instant = Instant.ofEpochMilli(millis).plusNanos(random.nextInt(1_000_000));
            assertEquals(RFC_3339_MILLIS.format(instant), WireJson.timestamp(instant), "for " + instant);
        }
    }
}
