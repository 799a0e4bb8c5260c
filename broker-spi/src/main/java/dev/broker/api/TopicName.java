package dev.broker.api;

/**
 * TopicName is the validated name of a topic: dot-separated segments of {@code [A-Za-z0-9_-]},
 * at most 255 characters and 16 segments. Names that begin with {@code dlq.} are dead-letter topics,
 * written only by the broker.
 *
 * @param value the name as the user wrote it
 */
public record TopicName(String value) implements Comparable<TopicName> {
    /** MAX_LENGTH is the longest name accepted, in characters. */
    public static final int MAX_LENGTH = 255;
    /** MAX_SEGMENTS is the most dot-separated segments a name may have. */
    public static final int MAX_SEGMENTS = 16;
    /** DEAD_LETTER_PREFIX starts the name of every dead-letter topic. */
    public static final String DEAD_LETTER_PREFIX = "dlq.";

    /**
     * Creates a topic name.
     *
     * @throws BrokerException with {@link ErrorCode#INVALID_TOPIC} if the name is not valid
     */
    public TopicName {
        String problem = problem(value);
        if (problem != null) {
            throw new BrokerException(ErrorCode.INVALID_TOPIC, problem);
        }
    }

    /** of parses a topic name; see the constructor for what it throws. */
    public static TopicName of(String value) {
        return new TopicName(value);
    }

    /** isDeadLetter tells whether this is a {@code dlq.} topic. */
    public boolean isDeadLetter() {
        return value.startsWith(DEAD_LETTER_PREFIX);
    }

    /** segments splits the name at its dots. */
    public String[] segments() {
        return value.split("\\.", -1);
    }

    @Override
    public int compareTo(TopicName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "topic name is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "topic name is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        if (value.indexOf('*') >= 0 || value.indexOf('>') >= 0) {
            return "'" + value + "' is a pattern; publish to a topic name without '*' or '>'";
        }
        int segments = 1;
        boolean emptySegment = true;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '.') {
                if (emptySegment) {
                    return notATopicName(value);
                }
                segments++;
                emptySegment = true;
            } else if (NameSyntax.isNameChar(c)) {
                emptySegment = false;
            } else {
                return notATopicName(value);
            }
        }
        if (emptySegment) {
            return notATopicName(value);
        }
        if (segments > MAX_SEGMENTS) {
            return "topic name has " + segments + " segments; at most " + MAX_SEGMENTS + " are allowed";
        }
        return null;
    }

    private static String notATopicName(String value) {
        return "'" + value + "' is not a topic name: use dot-separated segments of letters, digits, '_' and '-'";
    }
}
