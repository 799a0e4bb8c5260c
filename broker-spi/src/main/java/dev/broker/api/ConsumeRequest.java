package dev.broker.api;

import java.time.Duration;
import java.util.Objects;

/**
 * ConsumeRequest asks for messages of one topic for one group. Immutable.
 *
 * @param topic the topic
 * @param group the group (created at the oldest retained message if it does not exist)
 * @param limit the most messages to hand out, 1 to 1000
 * @param ack   automatic or manual acknowledgement
 * @param maxWait how long to wait for a first message when none is there; zero answers at once
 */
public record ConsumeRequest(TopicName topic, GroupName group, int limit, AckMode ack, Duration maxWait) {
    /** MAX_WAIT is the longest long poll. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(30);
    /** MAX_LIMIT is the most messages one request may ask for. */
    public static final int MAX_LIMIT = 1000;

    /** Creates a request. */
    public ConsumeRequest {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(ack, "ack");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
        }
        if (maxWait == null || maxWait.isNegative() || maxWait.compareTo(MAX_WAIT) > 0) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "wait must be from 0 to 30s");
        }
    }
}
