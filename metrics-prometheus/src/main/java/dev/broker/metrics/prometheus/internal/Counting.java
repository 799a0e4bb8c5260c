package dev.broker.metrics.prometheus.internal;

import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerObserver;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counting turns what the broker reports to its {@link BrokerObserver} into Prometheus counters and
 * histograms. It runs on the publish and delivery paths, so a report costs a few map look-ups and
 * adder increments: no lock, and no allocation once a topic, group and reason have been seen
 * (label values are bounded by {@link LabelLimit}s, data points cached by {@link Points}).
 * Thread-safe.
 */
final class Counting implements BrokerObserver {
    /** Upper bounds of {@code message_broker_processing_duration}, in seconds: 50 µs to 5 s. */
    static final double[] PROCESSING_BOUNDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    /** Upper bounds of the store commit duration, in seconds: 10 µs to 2.5 s (a forced write can be slow). */
    static final double[] COMMIT_BOUNDS = {
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5};

    static final String DROPPED_OVERFLOW = "overflow";
    static final String DROPPED_EXPIRED = "expired";
    /** UNKNOWN_REASON labels a dead letter that came without a reason. */
    static final String UNKNOWN_REASON = "unknown";

    private final LabelLimit topics;
    private final LabelLimit groups;
    private final LabelLimit reasons = new LabelLimit("dead-letter reason", 8);
    private final LabelLimit transports = new LabelLimit("transport", 16);

    private final Points<CounterDataPoint> published;
    private final Points<CounterDataPoint> consumed;
    private final Points<CounterDataPoint> redelivered;
    private final Points<CounterDataPoint> deadLettered;
    private final Points<CounterDataPoint> dropped;
    private final Points<CounterDataPoint> rejected;
    private final Points<CounterDataPoint> slowConsumers;
    private final Points<CounterDataPoint> delayed;
    private final Points<CounterDataPoint> ttlExpired;
    private final Points<CounterDataPoint> replayed;
    private final Histogram processing;
    private final Histogram commitDuration;
    private final Counter commitOperations;
    private final ConcurrentHashMap<String, AtomicLong> connections = new ConcurrentHashMap<>();

    /** Creates the counters and histograms in the registry; topic and group labels are bounded by the limits. */
    Counting(PrometheusRegistry registry, LabelLimit topics, LabelLimit groups) {
        this.topics = topics;
        this.groups = groups;
        this.published = counter(registry, "message_broker_messages_published_total",
                "Messages stored in a topic (dead letters excluded).", "topic");
        this.consumed = counter(registry, "message_broker_messages_consumed_total",
                "Messages a consumer group finished: acked, or handed out with ack=auto.", "topic", "group");
        this.redelivered = counter(registry, "message_broker_messages_redelivered_total",
                "Deliveries that were repeats: after a nack or an expired lease.", "topic", "group");
        this.deadLettered = counter(registry, "message_broker_messages_dead_lettered_total",
                "Messages a group moved to the topic's dead letter topic dlq.{topic}, by reason (nack, ack-timeout).",
                "topic", "group", "reason");
        this.dropped = counter(registry, "message_broker_messages_dropped_total",
                "Messages that left a topic before every group finished them: evicted by OVERFLOW_POLICY=drop-oldest"
                        + " (reason overflow) or by RETENTION_HOURS (reason expired).", "topic", "reason");
        this.rejected = counter(registry, "message_broker_publishes_rejected_total",
                "Publish requests refused, by error code (topic-full, message-too-large, reserved-topic, ...).",
                "topic", "reason");
        this.slowConsumers = counter(registry, "message_broker_slow_consumer_disconnects_total",
                "Subscribers cut off because they could not keep up with their messages.", "transport");
        this.delayed = counter(registry, "message_broker_messages_delayed_total",
                "Messages stored with a delay= (docs/scheduled-and-idempotent.md).", "topic");
        this.ttlExpired = counter(registry, "message_broker_messages_ttl_expired_total",
                "Messages a group never got because their ttl= ran out before it handed them out.", "topic", "group");
        this.replayed = counter(registry, "message_broker_publishes_replayed_total",
                "Publishes that repeated an Idempotency-Key (a WebSocket messageId) within DEDUP_WINDOW and stored nothing.",
                "topic");
        this.processing = Histogram.builder()
                .name("message_broker_processing_duration")
                .help("Seconds from the receipt of a publish request to its messages being stored, per request.")
                .classicOnly()
                .classicUpperBounds(PROCESSING_BOUNDS)
                .withoutExemplars()
                .register(registry);
        this.commitDuration = Histogram.builder()
                .name("message_broker_store_commit_duration_seconds")
                .unit(Unit.SECONDS)
                .help("Seconds one store commit took (a group commit writes many changes at once).")
                .classicOnly()
                .classicUpperBounds(COMMIT_BOUNDS)
                .withoutExemplars()
                .register(registry);
        this.commitOperations = Counter.builder()
                .name("message_broker_store_operations_total")
                .help("Changes (messages, acks, group updates) written by store commits.")
                .withoutExemplars()
                .register(registry);
    }

    private static Points<CounterDataPoint> counter(PrometheusRegistry registry, String name, String help,
                                                    String... labels) {
        Counter counter = Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
        return new Points<>(counter::labelValues);
    }

    @Override
    public void published(TopicName topic, int count, long nanos) {
        published.of(topics.valueOf(topic.value())).inc(count);
        processing.observe(Unit.nanosToSeconds(nanos));
    }

    @Override
    public void rejected(TopicName topic, ErrorCode code) {
        rejected.of(topics.valueOf(topic.value()), code.code()).inc();
    }

    @Override
    public void consumed(TopicName topic, GroupName group, int count) {
        consumed.of(topics.valueOf(topic.value()), groups.valueOf(group.value())).inc(count);
    }

    @Override
    public void redelivered(TopicName topic, GroupName group, int count) {
        redelivered.of(topics.valueOf(topic.value()), groups.valueOf(group.value())).inc(count);
    }

    @Override
    public void deadLettered(TopicName topic, GroupName group, String reason) {
        String r = reason == null || reason.isEmpty() ? UNKNOWN_REASON : reasons.valueOf(reason);
        deadLettered.of(topics.valueOf(topic.value()), groups.valueOf(group.value()), r).inc();
    }

    @Override
    public void delayed(TopicName topic, int count) {
        delayed.of(topics.valueOf(topic.value())).inc(count);
    }

    @Override
    public void expired(TopicName topic, GroupName group, int count) {
        ttlExpired.of(topics.valueOf(topic.value()), groups.valueOf(group.value())).inc(count);
    }

    @Override
    public void replayed(TopicName topic) {
        replayed.of(topics.valueOf(topic.value())).inc();
    }

    @Override
    public void dropped(TopicName topic, long count, boolean expired) {
        dropped.of(topics.valueOf(topic.value()), expired ? DROPPED_EXPIRED : DROPPED_OVERFLOW).inc(count);
    }

    @Override
    public void connectionOpened(String transport) {
        connections(transport).incrementAndGet();
    }

    @Override
    public void connectionClosed(String transport) {
        connections(transport).decrementAndGet();
    }

    @Override
    public void slowConsumerDisconnected(String transport) {
        slowConsumers.of(transports.valueOf(transport)).inc();
    }

    @Override
    public void storeCommit(int operations, long nanos) {
        commitDuration.observe(Unit.nanosToSeconds(nanos));
        commitOperations.inc(operations);
    }

    private AtomicLong connections(String transport) {
        String label = transports.valueOf(transport);
        AtomicLong open = connections.get(label);
        return open != null ? open : connections.computeIfAbsent(label, k -> new AtomicLong());
    }

    /** openConnections is how many connections each transport that reports them has open now, by transport. */
    Map<String, Long> openConnections() {
        Map<String, Long> open = new TreeMap<>();
        connections.forEach((transport, n) -> open.put(transport, Math.max(0, n.get())));
        return open;
    }
}
