package dev.broker.client;

/**
 * StartFrom is where a subscription or a new group begins: the oldest retained message
 * ({@link #EARLIEST}), the next message stored ({@link #LATEST}), or an offset.
 */
public sealed interface StartFrom {
    /** EARLIEST is the oldest message the topic retains. */
    StartFrom EARLIEST = new Named("earliest");
    /** LATEST is the next message stored after the subscription is made. */
    StartFrom LATEST = new Named("latest");

    /** wire is the position as the broker spells it: {@code earliest}, {@code latest} or the offset. */
    String wire();

    /** offset is the position of the message with this offset (0 or more). */
    static StartFrom offset(long offset) {
        return new Offset(offset);
    }

    /**
     * parse reads {@code earliest}, {@code latest} or an offset.
     *
     * @throws IllegalArgumentException for anything else
     */
    static StartFrom parse(String text) {
        switch (text) {
            case "earliest":
                return EARLIEST;
            case "latest":
                return LATEST;
            default:
                try {
                    return offset(Long.parseLong(text));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a start position: use earliest, latest or an offset (0 or more)");
                }
        }
    }

    /** Named is {@code earliest} or {@code latest}. */
    record Named(String wire) implements StartFrom {
    }

    /** Offset is a position given as an offset. */
    record Offset(long offset) implements StartFrom {
        public Offset {
            if (offset < 0) {
                throw new IllegalArgumentException("an offset is 0 or more, not " + offset);
            }
        }

        @Override
        public String wire() {
            return Long.toString(offset);
        }
    }
}
