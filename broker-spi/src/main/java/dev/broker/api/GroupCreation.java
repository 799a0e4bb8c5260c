package dev.broker.api;

/**
 * GroupCreation is the outcome of creating a group explicitly. Immutable.
 *
 * @param topic    the topic
 * @param group    the group
 * @param settings its settings
 * @param created  true if this call made it, false if an identical group existed
 */
public record GroupCreation(TopicName topic, GroupName group, GroupSettings settings, boolean created) {
}
