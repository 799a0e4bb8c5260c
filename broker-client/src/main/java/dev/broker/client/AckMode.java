package dev.broker.client;

import java.util.Locale;

/**
 * AckMode says when a group delivery is finished: {@link #AUTO} as it is handed out
 * (at-most-once), {@link #MANUAL} when the consumer acks its receipt (at-least-once).
 */
public enum AckMode {
    AUTO, MANUAL;

    /** wire is the mode as the broker spells it: {@code auto} or {@code manual}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * parse reads {@code auto} or {@code manual}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static AckMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "manual" -> MANUAL;
            default -> throw new IllegalArgumentException("'" + text + "' is not an ack mode: use auto or manual");
        };
    }
}
