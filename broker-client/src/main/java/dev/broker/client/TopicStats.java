package dev.broker.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TopicStats is the answer of {@code GET /topics/{topic}/stats}. {@link #json} is the broker's
 * answer as it came, for callers that want the fields this version of the client does not read.
 */
public record TopicStats(String topic, long messages, long bytes, long firstOffset, long lastOffset,
                         long published, long consumed, Optional<Duration> oldestMessageAge, long liveSubscribers,
                         long dropped, long expired, List<Group> groups, String json) {
    public TopicStats {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(oldestMessageAge, "oldestMessageAge");
        groups = List.copyOf(groups);
        Objects.requireNonNull(json, "json");
    }

    /** Group is the statistics of one consumer group of the topic. */
    public record Group(String group, long lag, long inFlight, long delivered, long acked, long redelivered,
                        long deadLettered, Optional<Duration> oldestUnackedAge) {
        public Group {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(oldestUnackedAge, "oldestUnackedAge");
        }
    }
}
