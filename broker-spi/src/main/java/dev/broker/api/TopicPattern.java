package dev.broker.api;

import java.util.regex.Pattern;

/**
 * TopicPattern is what a subscription names: a topic name whose segments may be {@code *} (exactly
 * one segment) or, as the last segment, {@code >} (one or more trailing segments). A pattern that
 * begins with a wildcard never matches a {@code dlq.} topic. A pattern without wildcards matches
 * exactly one topic. Immutable and thread-safe.
 *
 * @param value the pattern as the user wrote it
 */
public record TopicPattern(String value) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+|\\*|>");

    /**
     * Creates a pattern.
     *
     * @throws BrokerException with {@link ErrorCode#INVALID_TOPIC} if it is not a valid pattern
     */
    public TopicPattern {
        if (value == null || value.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_TOPIC, "topic pattern is empty");
        }
        if (value.length() > TopicName.MAX_LENGTH) {
            throw new BrokerException(ErrorCode.INVALID_TOPIC,
                    "topic pattern is longer than " + TopicName.MAX_LENGTH + " characters");
        }
        String[] segments = value.split("\\.", -1);
        if (segments.length > TopicName.MAX_SEGMENTS) {
            throw new BrokerException(ErrorCode.INVALID_TOPIC,
                    "topic pattern has more than " + TopicName.MAX_SEGMENTS + " segments");
        }
        for (int i = 0; i < segments.length; i++) {
            if (!SEGMENT.matcher(segments[i]).matches()) {
                throw new BrokerException(ErrorCode.INVALID_TOPIC, "'" + value
                        + "' is not a topic pattern: segments are names, '*' or a final '>'");
            }
            if (segments[i].equals(">") && i != segments.length - 1) {
                throw new BrokerException(ErrorCode.INVALID_TOPIC,
                        "'" + value + "' is not a topic pattern: '>' may only be the last segment");
            }
        }
    }

    /** of parses a pattern; see the constructor for what it throws. */
    public static TopicPattern of(String value) {
        return new TopicPattern(value);
    }

    /** isWildcard tells whether the pattern has a {@code *} or {@code >} segment. */
    public boolean isWildcard() {
        return value.indexOf('*') >= 0 || value.indexOf('>') >= 0;
    }

    /** exactTopic returns the one topic a pattern without wildcards names. */
    public java.util.Optional<TopicName> exactTopic() {
        return isWildcard() ? java.util.Optional.empty() : java.util.Optional.of(new TopicName(value));
    }

    /** matches tells whether the topic is one this pattern names. */
    public boolean matches(TopicName topic) {
        String[] pattern = value.split("\\.", -1);
        String[] name = topic.segments();
        if (topic.isDeadLetter() && (pattern[0].equals("*") || pattern[0].equals(">"))) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].equals(">")) {
                return name.length > i;
            }
            if (i >= name.length) {
                return false;
            }
            if (!pattern[i].equals("*") && !pattern[i].equals(name[i])) {
                return false;
            }
        }
        return pattern.length == name.length;
    }

    @Override
    public String toString() {
        return value;
    }
}
