package dev.broker.spi;

import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.TopicName;
import java.util.Arrays;
import java.util.Objects;

/**
 * StoredGroup is what must survive a restart of one group on one topic: its settings and what it
 * has finished. Immutable.
 *
 * @param topic              the topic
 * @param group              the group
 * @param settings           its settings
 * @param floor              every offset below it is finished
 * @param finishedAbove      offsets at or above the floor that are finished too (acked out of order), ascending
 * @param deadLetterPosition how far into {@code dlq.{topic}} the group's dead letters have been redriven
 * @param holdsBack          whether the group keeps a full topic from dropping what it has not finished under
 *                           {@code OVERFLOW_POLICY=reject}: every group but those made by a wildcard subscription
 *                           (docs/decisions/0006-groups-and-dead-letters.md)
 */
public record StoredGroup(TopicName topic, GroupName group, GroupSettings settings, long floor, long[] finishedAbove,
                          long deadLetterPosition, boolean holdsBack) {
    /** Creates the record; the array is copied. */
    public StoredGroup {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(settings, "settings");
        finishedAbove = finishedAbove.clone();
    }

    /** A group that holds back a full topic, as every group did before groups of wildcard subscriptions. */
    public StoredGroup(TopicName topic, GroupName group, GroupSettings settings, long floor, long[] finishedAbove,
                       long deadLetterPosition) {
        this(topic, group, settings, floor, finishedAbove, deadLetterPosition, true);
    }

    @Override
    public long[] finishedAbove() {
        return finishedAbove.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredGroup g && topic.equals(g.topic) && group.equals(g.group) && settings.equals(g.settings)
                && floor == g.floor && Arrays.equals(finishedAbove, g.finishedAbove)
                && deadLetterPosition == g.deadLetterPosition && holdsBack == g.holdsBack;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, group, floor) * 31 + Arrays.hashCode(finishedAbove);
    }

    @Override
    public String toString() {
        return "StoredGroup[" + topic + "/" + group + " floor=" + floor + " finishedAbove=" + Arrays.toString(finishedAbove)
                + " deadLetterPosition=" + deadLetterPosition + " holdsBack=" + holdsBack + "]";
    }
}
