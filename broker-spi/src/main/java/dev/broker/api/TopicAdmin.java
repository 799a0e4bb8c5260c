package dev.broker.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * TopicAdmin is the broker's management half: groups, topics, statistics, browsing, dead-letter
 * redrive, deletion and health. Every method is thread-safe.
 */
public interface TopicAdmin {
    /**
     * createGroup creates a durable group on a topic (creating the topic too).
     *
     * @return the group, and whether this call made it
     * @throws BrokerException {@link ErrorCode#GROUP_CONFLICT} if it exists with other settings
     */
    GroupCreation createGroup(TopicName topic, GroupName group, GroupSettings settings);

    /** topics lists every topic, sorted by name. */
    List<TopicInfo> topics();

    /** stats is a snapshot of a topic and its groups, or empty if the topic does not exist. */
    Optional<TopicStats> stats(TopicName topic);

    /**
     * browse reads messages without leasing or finishing them.
     *
     * @throws BrokerException {@link ErrorCode#TOPIC_NOT_FOUND}
     */
    List<Message> browse(TopicName topic, long fromOffset, int limit);

    /**
     * redrive hands a group's dead letters of a topic (those in {@code dlq.{topic}}) back to that
     * group alone, oldest first, with their retry count reset.
     *
     * @return how many were handed back
     * @throws BrokerException {@link ErrorCode#TOPIC_NOT_FOUND}, {@link ErrorCode#GROUP_NOT_FOUND}
     */
    CompletionStage<Integer> redrive(TopicName topic, GroupName group);

    /** delete removes a topic, its messages and its groups; false if there was no such topic. */
    boolean delete(TopicName topic);

    /** health reports whether the broker can take publishes, and why not. */
    HealthReport health();
}
