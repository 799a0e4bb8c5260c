package dev.broker.metrics.prometheus.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Points caches the data points of one labelled metric by their label values, one map level per
 * label, so that counting a combination seen before costs a map look-up per label and allocates
 * nothing (client_java's own {@code labelValues} allocates a key per call). The label values come
 * from {@link LabelLimit}s, so each level holds a bounded number of entries. Thread-safe.
 *
 * @param <P> the data point type
 */
final class Points<P> {
    private final Function<String[], P> make;
    private final ConcurrentHashMap<String, Object> root = new ConcurrentHashMap<>();

    /** Creates a cache that makes a missing point with {@code make}, given the label values in order. */
    Points(Function<String[], P> make) {
        this.make = make;
    }

    /** of is the point of a metric with one label. */
    P of(String a) {
        Object p = root.get(a);
        return p != null ? cast(p) : cast(root.computeIfAbsent(a, k -> make.apply(new String[] {a})));
    }

    /** of is the point of a metric with two labels. */
    P of(String a, String b) {
        ConcurrentHashMap<String, Object> level = level(root, a);
        Object p = level.get(b);
        return p != null ? cast(p) : cast(level.computeIfAbsent(b, k -> make.apply(new String[] {a, b})));
    }

    /** of is the point of a metric with three labels. */
    P of(String a, String b, String c) {
        ConcurrentHashMap<String, Object> level = level(level(root, a), b);
        Object p = level.get(c);
        return p != null ? cast(p) : cast(level.computeIfAbsent(c, k -> make.apply(new String[] {a, b, c})));
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentHashMap<String, Object> level(ConcurrentHashMap<String, Object> parent, String key) {
        Object next = parent.get(key);
        if (next == null) {
            next = parent.computeIfAbsent(key, k -> new ConcurrentHashMap<String, Object>());
        }
        return (ConcurrentHashMap<String, Object>) next;
    }

    @SuppressWarnings("unchecked")
    private P cast(Object point) {
        return (P) point;
    }
}
