package dev.broker.api;

/**
 * StartFrom is where a new group or a subscription begins in a topic: its oldest retained message,
 * the next message to be published, or an offset. Immutable.
 */
public sealed interface StartFrom {
    /** Earliest starts at the oldest retained message. */
    record Earliest() implements StartFrom {
        @Override
        public String wire() {
            return "earliest";
        }
    }

    /** Latest starts at the next message published. */
    record Latest() implements StartFrom {
        @Override
        public String wire() {
            return "latest";
        }
    }

    /** AtOffset starts at an offset (or the oldest retained one, if that is later). */
    record AtOffset(long offset) implements StartFrom {
        /** Creates a start offset. */
        public AtOffset {
            if (offset < 0) {
                throw new BrokerException(ErrorCode.INVALID_PARAMETER, "an offset cannot be negative: " + offset);
            }
        }

        @Override
        public String wire() {
            return Long.toString(offset);
        }
    }

    /** EARLIEST is the oldest retained message. */
    StartFrom EARLIEST = new Earliest();
    /** LATEST is the next message published. */
    StartFrom LATEST = new Latest();

    /** wire is how the position is written over HTTP and WebSocket. */
    String wire();

    /**
     * parse reads {@code earliest}, {@code latest} or an offset.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_PARAMETER} for anything else
     */
    static StartFrom parse(String text) {
        if ("earliest".equals(text)) {
            return EARLIEST;
        }
        if ("latest".equals(text)) {
            return LATEST;
        }
        try {
            return new AtOffset(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER,
                    "a start position is earliest, latest or an offset, not '" + text + "'");
        }
    }
}
