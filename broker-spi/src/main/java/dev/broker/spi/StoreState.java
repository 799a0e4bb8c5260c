package dev.broker.spi;

import java.util.List;

/**
 * StoreState is everything a store held when it was opened. Immutable.
 *
 * @param topics the topics with their extents
 * @param groups the groups with what they finished
 */
public record StoreState(List<StoredTopic> topics, List<StoredGroup> groups) {
    /** EMPTY is a store that holds nothing. */
    public static final StoreState EMPTY = new StoreState(List.of(), List.of());

    /** Creates the state; the lists are copied. */
    public StoreState {
        topics = List.copyOf(topics);
        groups = List.copyOf(groups);
    }
}
