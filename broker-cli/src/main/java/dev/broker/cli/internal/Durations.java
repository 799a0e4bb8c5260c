package dev.broker.cli.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations reads a duration option as the broker spells durations: {@code 500ms}, {@code 5s}, {@code 2m}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration: use 500ms, 5s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
