package dev.broker.core.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoredGroup;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * TopicGroups is one topic's consumer groups: finding, making (within {@code MAX_GROUPS_PER_TOPIC},
 * docs/limits.md), restoring and saving them. Guarded by the topic's monitor, which every caller
 * holds; {@link #any} alone may be read without it (docs/threading.md).
 */
final class TopicGroups {
    private final TopicName topic;
    private final BrokerConfig config;
    private final MessageStore store;
    private final Map<GroupName, GroupCursor> groups = new LinkedHashMap<>();
    /** any says the topic has had a group since it was made; a publish to a topic with neither groups nor subscribers asks for no delivery. */
    private volatile boolean any;

    TopicGroups(TopicName topic, BrokerConfig config, MessageStore store) {
        this.topic = topic;
        this.config = config;
        this.store = store;
    }

    /** any may be read without the topic's monitor. */
    boolean any() {
        return any;
    }

    GroupCursor get(GroupName name) {
        return groups.get(name);
    }

    Collection<GroupCursor> all() {
        return groups.values();
    }

    /**
     * findOrMake finds a group or makes one at {@code from} (else the oldest retained message);
     * {@code byName} says it is used on this topic by its name (a poll, an exact subscription, a
     * creation), which makes it hold back a full topic from then on
     * (docs/decisions/0006-groups-and-dead-letters.md). {@code first} and {@code next} are the
     * topic's first and next offsets.
     */
    GroupCursor findOrMake(GroupName name, Optional<StartFrom> from, boolean byName, long first, long next) {
        GroupCursor g = groups.get(name);
        if (g == null) {
            StartFrom start = from.orElse(StartFrom.EARLIEST);
            g = new GroupCursor(name, new GroupSettings(start, config.ackTimeout(), config.maxDeliveries()),
                    startOffset(start, first, next));
            g.holdsBack = byName;
            add(g);
            save(g);
        } else if (byName && !g.holdsBack) {
            g.holdsBack = true;
            save(g);
        }
        return g;
    }

    /** startOffset is where a group or a subscriber starting {@code from} starts on the topic. */
    static long startOffset(StartFrom from, long first, long next) {
        if (from instanceof StartFrom.AtOffset at) {
            return Math.max(first, Math.min(at.offset(), next));
        }
        return from instanceof StartFrom.Latest ? next : first;
    }

    /**
     * requireRoom refuses a group the topic does not have yet when it has
     * {@code MAX_GROUPS_PER_TOPIC} already. Pattern subscriptions join each matching topic
     * whatever the count: they are bounded by {@code WS_MAX_SUBSCRIPTIONS} (docs/limits.md).
     */
    void requireRoom(GroupName name) {
        if (!groups.containsKey(name) && groups.size() >= config.maxGroupsPerTopic()) {
            throw new BrokerException(ErrorCode.LIMIT_EXCEEDED, "topic " + topic + " has " + groups.size()
                    + " groups, the most MAX_GROUPS_PER_TOPIC allows; group " + name + " is not made");
        }
    }

    /** create makes a group with these settings, or finds it if it has them already. */
    GroupCreation create(GroupName name, GroupSettings settings, long first, long next) {
        GroupCursor g = groups.get(name);
        if (g == null) {
            requireRoom(name);
            g = new GroupCursor(name, settings, startOffset(settings.startFrom(), first, next));
            add(g);
            save(g);
            return new GroupCreation(topic, name, settings, true);
        }
        if (!g.settings.equals(settings)) {
            throw new BrokerException(ErrorCode.GROUP_CONFLICT, "group " + name + " exists on " + topic
                    + " with other settings (startFrom " + g.settings.startFrom().wire() + ", ackTimeout "
                    + g.settings.ackTimeout().toMillis() + "ms, maxDeliveries " + g.settings.maxDeliveries() + ")");
        }
        if (!g.holdsBack) {
            g.holdsBack = true; // created by name now
            save(g);
        }
        return new GroupCreation(topic, name, g.settings, false);
    }

    /** restore brings back a group the store kept, at start-up. */
    void restore(StoredGroup stored, long first, long storedOffset) {
        GroupCursor g = GroupCursor.restore(stored);
        g.onTruncate(first, first, storedOffset);
        add(g);
    }

    /** save hands the group's progress to the store; saves reach it in the order they are made. */
    CompletionStage<Void> save(GroupCursor g) {
        return store.saveGroup(g.snapshot(topic));
    }

    /** clear forgets every group, for a deleted topic. */
    void clear() {
        groups.clear();
    }

    private void add(GroupCursor g) {
        groups.put(g.name, g);
        any = true;
    }
}
