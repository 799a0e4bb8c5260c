package dev.broker.api;

/**
 * TopicInfo is a snapshot of one topic's extent. Immutable.
 *
 * @param name        the topic
 * @param messages    how many messages it retains now
 * @param firstOffset the offset of its oldest retained message (equal to the next offset when empty)
 * @param lastOffset  the offset of its newest message, or -1 if nothing was ever published to it
 */
public record TopicInfo(TopicName name, long messages, long firstOffset, long lastOffset) {
}
