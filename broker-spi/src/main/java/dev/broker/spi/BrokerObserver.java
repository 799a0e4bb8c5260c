package dev.broker.spi;

import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.TopicName;

/**
 * BrokerObserver hears what happens in the broker, for metrics. The core, the transports and the
 * store report to {@link BrokerContext#observer()}; a metrics plugin adds itself with
 * {@link BrokerContext#addObserver}. Every method has a no-op default, may be called from any
 * thread at any rate, and must return at once without blocking or allocating per call: it runs on
 * the publish and delivery paths.
 */
public interface BrokerObserver {
    /** published: {@code count} messages were stored in a topic, {@code nanos} after the request arrived. */
    default void published(TopicName topic, int count, long nanos) {
    }

    /** rejected: a publish to a topic was refused with a code. */
    default void rejected(TopicName topic, ErrorCode code) {
    }

    /** consumed: a group finished {@code count} messages (acked, or handed out automatically). */
    default void consumed(TopicName topic, GroupName group, int count) {
    }

    /** redelivered: a group handed out {@code count} messages again. */
    default void redelivered(TopicName topic, GroupName group, int count) {
    }

    /** deadLettered: a group moved a message to the dead letter topic, for {@code reason} (nack or ack-timeout). */
    default void deadLettered(TopicName topic, GroupName group, String reason) {
    }

    /** delayed: {@code count} messages were stored with a delay (docs/scheduled-and-idempotent.md). */
    default void delayed(TopicName topic, int count) {
    }

    /** expired: a group passed over {@code count} messages whose ttl ran out before it handed them out. */
    default void expired(TopicName topic, GroupName group, int count) {
    }

    /** replayed: a publish repeated an idempotency key within its window, and stored nothing. */
    default void replayed(TopicName topic) {
    }

    /** dropped: unfinished messages left a topic, {@code expired} by retention or dropped by the size limit. */
    default void dropped(TopicName topic, long count, boolean expired) {
    }

    /** connectionOpened and connectionClosed count a transport's live connections. */
    default void connectionOpened(String transport) {
    }

    /** connectionClosed: a connection of a transport ended. */
    default void connectionClosed(String transport) {
    }

    /** slowConsumerDisconnected: a transport cut off a client that could not keep up. */
    default void slowConsumerDisconnected(String transport) {
    }

    /** storeCommit: the store wrote {@code operations} changes in one commit taking {@code nanos}. */
    default void storeCommit(int operations, long nanos) {
    }
}
