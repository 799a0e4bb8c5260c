package dev.broker.metrics.prometheus.internal;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LabelLimit bounds how many distinct values one label (topic, group, ...) takes in the metrics:
 * the first {@code max} names seen keep their own label value for the life of the broker, and
 * every later one is counted under {@link #OTHER}, with one warning in the log. So a flood of
 * distinct topic names cannot grow the metrics without end. Thread-safe: a name seen before costs
 * one map look-up; only the first sight of a name takes the lock.
 */
final class LabelLimit {
    /**
     * OTHER is the label value of the names past the limit. Parentheses are never part of a topic,
     * group or transport name, so it cannot be mistaken for a real one.
     */
    static final String OTHER = "(other)";

    private static final Logger LOG = LoggerFactory.getLogger(LabelLimit.class);

    private final String label;
    private final int max;
    private final ConcurrentHashMap<String, String> admitted = new ConcurrentHashMap<>();
    private volatile boolean full;

    /**
     * Creates a limit.
     *
     * @param label the label's name, for the warning
     * @param max   how many distinct values it may take besides {@link #OTHER}; at least 1
     */
    LabelLimit(String label, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a label limit must be at least 1, not " + max);
        }
        this.label = label;
        this.max = max;
    }

    /** valueOf is the label value that counts {@code name}: the name itself, or {@link #OTHER} past the limit. */
    String valueOf(String name) {
        String value = admitted.get(name);
        if (value != null) {
            return value;
        }
        return full ? OTHER : admit(name);
    }

    private synchronized String admit(String name) {
        String value = admitted.get(name);
        if (value != null) {
            return value;
        }
        if (admitted.size() >= max) {
            if (!full) {
                full = true;
                LOG.warn("metrics: more than {} distinct {} names; '{}' and every later one are counted under"
                        + " {}=\"{}\"", max, label, name, label, OTHER);
            }
            return OTHER;
        }
        admitted.put(name, name);
        return name;
    }
}
