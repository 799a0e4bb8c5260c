package dev.broker.api;

import java.util.Locale;

/** AckMode says when a delivery to a group is finished. */
public enum AckMode {
    /** AUTO finishes a message as it is handed out: at-most-once. */
    AUTO,
    /** MANUAL leases it until the consumer acks it with its receipt: at-least-once. */
    MANUAL;

    /**
     * parse reads {@code auto} or {@code manual}.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_PARAMETER} for anything else
     */
    public static AckMode parse(String text) {
        return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "manual" -> MANUAL;
            default -> throw new BrokerException(ErrorCode.INVALID_PARAMETER, "ack must be auto or manual, not '" + text + "'");
        };
    }

    /** wire is the lowercase name used over HTTP and WebSocket. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
