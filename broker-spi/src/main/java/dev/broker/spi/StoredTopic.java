package dev.broker.spi;

import dev.broker.api.TopicName;

/**
 * StoredTopic is what a store holds of one topic when it opens. Immutable.
 *
 * @param name        the topic
 * @param firstOffset the offset of the oldest message held (equal to nextOffset when none is)
 * @param nextOffset  the offset the next message will get
 */
public record StoredTopic(TopicName name, long firstOffset, long nextOffset) {
}
