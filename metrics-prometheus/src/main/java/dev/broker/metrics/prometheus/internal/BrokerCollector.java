package dev.broker.metrics.prometheus.internal;

import dev.broker.api.TopicAdmin;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicStats;
import dev.broker.api.TopicStats.GroupStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongSupplier;

/**
 * BrokerCollector reads the gauges at scrape time from the broker's read-only snapshots
 * ({@link TopicAdmin#topics()}, {@link TopicAdmin#stats}, {@link TopicAdmin#health()}) and the
 * connection counts, so that nothing is kept up to date on the hot path for them. Topics and groups
 * past their {@link LabelLimit} are added up under {@link LabelLimit#OTHER} (ages: the oldest).
 * Thread-safe: each scrape builds its own snapshot.
 */
final class BrokerCollector implements MultiCollector {
    /** HTTP is the transport label of plain HTTP connections, which the HTTP transport does not report itself. */
    static final String HTTP = "http";

    private final TopicAdmin admin;
    private final LabelLimit topics;
    private final LabelLimit groups;
    private final Counting counting;
    private final LongSupplier openTcpConnections;

    /**
     * Creates the collector.
     *
     * @param openTcpConnections the TCP connections open on the broker's port now, WebSocket ones included
     */
    BrokerCollector(TopicAdmin admin, LabelLimit topics, LabelLimit groups, Counting counting,
                    LongSupplier openTcpConnections) {
        this.admin = admin;
        this.topics = topics;
        this.groups = groups;
        this.counting = counting;
        this.openTcpConnections = openTcpConnections;
    }

    @Override
    public MetricSnapshots collect() {
        Gauge queueSize = new Gauge("message_broker_queue_size",
                "Messages a topic retains now (consumed or not), dead letter topics dlq.{topic} included.", null, Double::sum, "topic");
        Gauge queueBytes = new Gauge("message_broker_queue_bytes",
                "Bytes of message data a topic retains now.", Unit.BYTES, Double::sum, "topic");
        Gauge oldestMessage = new Gauge("message_broker_oldest_message_age_seconds",
                "Age of the oldest message a topic retains.", Unit.SECONDS, Math::max, "topic");
        Gauge subscribers = new Gauge("message_broker_subscribers",
                "Live push subscriptions to a topic (WebSocket broadcast subscribers and group members).", null,
                Double::sum, "topic");
        Gauge lag = new Gauge("message_broker_consumer_lag",
                "Stored messages of a topic that a consumer group has not finished yet.", null, Double::sum, "topic", "group");
        Gauge inFlight = new Gauge("message_broker_messages_in_flight",
                "Messages a consumer group has handed out with ack=manual and not yet had acked or nacked.", null,
                Double::sum, "topic", "group");
        Gauge oldestUnacked = new Gauge("message_broker_oldest_unacked_age_seconds",
                "How long a consumer group's oldest unacknowledged lease has been held.", Unit.SECONDS, Math::max,
                "topic", "group");

        for (TopicInfo info : admin.topics()) {
            Optional<TopicStats> found = admin.stats(info.name());
            if (found.isEmpty()) {
                continue; // deleted between the two calls
            }
            TopicStats s = found.get();
            String topic = topics.valueOf(s.name().value());
            queueSize.add(s.messages(), topic);
            queueBytes.add(s.bytes(), topic);
            s.oldestMessageAge().ifPresent(age -> oldestMessage.add(seconds(age), topic));
            subscribers.add(s.liveSubscribers(), topic);
            for (GroupStats g : s.groups()) {
                String group = groups.valueOf(g.name().value());
                lag.add(g.lag(), topic, group);
                inFlight.add(g.inFlight(), topic, group);
                g.oldestUnackedAge().ifPresent(age -> oldestUnacked.add(seconds(age), topic, group));
            }
        }

        Gauge connections = new Gauge("message_broker_active_connections",
                "Connections open now, by transport: websocket (upgraded connections on /ws) and http (every other"
                        + " connection to the port).", null, Double::sum, "transport");
        Map<String, Long> reported = counting.openConnections();
        long byOthers = 0;
        for (Map.Entry<String, Long> e : reported.entrySet()) {
            connections.add(e.getValue(), e.getKey());
            if (!e.getKey().equals(HTTP)) {
                byOthers += e.getValue();
            }
        }
        if (!reported.containsKey(HTTP)) {
            // Every transport shares the one port, so the connections no transport reports are HTTP ones.
            connections.add(Math.max(0, openTcpConnections.getAsLong() - byOthers), HTTP);
        }

        Gauge healthy = new Gauge("message_broker_healthy",
                "1 when the broker takes publishes (its store can write), 0 when /health says DOWN.", null, Double::sum);
        healthy.add(admin.health().up() ? 1 : 0);

        List<MetricSnapshot> all = new ArrayList<>();
        for (Gauge g : List.of(queueSize, queueBytes, oldestMessage, subscribers, lag, inFlight, oldestUnacked,
                connections, healthy)) {
            all.add(g.snapshot());
        }
        return new MetricSnapshots(all);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Gauge gathers the values of one gauge family during a scrape, merging those that share labels. Not thread-safe. */
    private static final class Gauge {
        private final String name;
        private final String help;
        private final Unit unit;
        private final DoubleBinaryOperator merge;
        private final String[] labelNames;
        private final Map<List<String>, Double> values = new LinkedHashMap<>();

        Gauge(String name, String help, Unit unit, DoubleBinaryOperator merge, String... labelNames) {
            this.name = name;
            this.help = help;
            this.unit = unit;
            this.merge = merge;
            this.labelNames = labelNames;
        }

        void add(double value, String... labelValues) {
            values.merge(List.of(labelValues), value, merge::applyAsDouble);
        }

        GaugeSnapshot snapshot() {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            if (unit != null) {
                b.unit(unit);
            }
            values.forEach((labelValues, value) -> b.dataPoint(GaugeDataPointSnapshot.builder()
                    .labels(Labels.of(labelNames, labelValues.toArray(String[]::new)))
                    .value(value)
                    .build()));
            return b.build();
        }
    }
}
