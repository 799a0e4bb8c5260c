package dev.broker.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * TopicStats is a read-only snapshot of one topic, for {@code /topics/{topic}/stats} and metrics.
 * Immutable.
 *
 * @param name             the topic
 * @param messages         retained messages
 * @param bytes            bytes of their data
 * @param firstOffset      offset of the oldest retained message
 * @param lastOffset       offset of the newest message, or -1
 * @param published        messages published since start-up
 * @param consumed         messages finished by groups since start-up (acked or handed out automatically)
 * @param oldestMessageAge age of the oldest retained message, if any
 * @param liveSubscribers  live push subscriptions (broadcast and group members)
 * @param dropped          unfinished messages evicted by {@code drop-oldest} (or dead letters no group read)
 * @param expired          unfinished messages dropped by retention
 * @param groups           the topic's groups
 */
public record TopicStats(TopicName name, long messages, long bytes, long firstOffset, long lastOffset, long published,
                         long consumed, Optional<Duration> oldestMessageAge, int liveSubscribers, long dropped,
                         long expired, List<GroupStats> groups) {
    /** Creates a snapshot; the list is copied. */
    public TopicStats {
        groups = List.copyOf(groups);
    }

    /**
     * GroupStats is a read-only snapshot of one group on one topic. Immutable.
     *
     * @param name              the group
     * @param lag               stored messages the group has not finished
     * @param inFlight          leased messages
     * @param delivered         deliveries since start-up, first ones and repeats
     * @param acked             messages finished by an ack (manual) or on delivery (auto)
     * @param redelivered       deliveries that were repeats
     * @param deadLettered      messages moved to the dead letter topic
     * @param expired           messages the group never got because their ttl passed first
     * @param oldestUnackedAge  how long the oldest lease has been held, if any
     */
    public record GroupStats(GroupName name, long lag, int inFlight, long delivered, long acked, long redelivered,
                             long deadLettered, long expired, Optional<Duration> oldestUnackedAge) {
    }
}
