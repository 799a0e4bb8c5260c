package dev.broker.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations parses the broker's duration syntax: a whole number followed by {@code ms}, {@code s},
 * {@code m} or {@code h} ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}). A bare number
 * means seconds. Stateless and thread-safe.
 */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("^(\\d{1,12})(ms|s|m|h)?$");

    private Durations() {
    }

    /**
     * parse reads a duration.
     *
     * @throws IllegalArgumentException if the text is not a duration
     */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (such as 500ms, 30s, 5m, 24h)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** format writes a duration in the same syntax, in the largest unit that is exact. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
