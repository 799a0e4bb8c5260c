package dev.broker.metrics.prometheus.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.web.WebServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * PrometheusMetrics is the running metrics plugin of one broker: its own registry (never
 * client_java's global default, so two brokers in one JVM do not mix), the counters fed by the
 * broker's observer, the gauges read from snapshots at scrape time, the JVM metrics, and
 * {@code GET /metrics} on the shared web server. Made and closed on the broker's start-up and
 * shut-down thread; what it registers is thread-safe.
 */
final class PrometheusMetrics implements AutoCloseable {
    /** PATH is where the metrics are served. */
    static final String PATH = "/metrics";
    /** MAX_TOPICS is how many topics get their own label value; later ones are counted as {@link LabelLimit#OTHER}. */
    static final int MAX_TOPICS = 1000;
    /** MAX_GROUPS is how many group names get their own label value. */
    static final int MAX_GROUPS = 1000;

    /**
     * Creates the metrics, adds the route, and starts hearing the broker's reports. The web server
     * starts with the transports.
     *
     * @throws IllegalStateException if another plugin serves {@code /metrics} already
     */
    PrometheusMetrics(BrokerContext context, int maxTopics, int maxGroups) {
        PrometheusRegistry registry = new PrometheusRegistry();
        LabelLimit topics = new LabelLimit("topic", maxTopics);
        LabelLimit groups = new LabelLimit("group", maxGroups);
        Counting counting = new Counting(registry, topics, groups);
        WebServer server = WebServer.of(context);
        registry.register(new BrokerCollector(context.admin(), topics, groups, counting, server::openConnections));
        JvmMetrics.builder().register(registry);
        server.route(PATH, new MetricsHandler(registry));
        context.addObserver(counting);
    }

    /**
     * close does nothing: the observer and the route live as long as the broker, and the web
     * server is closed by the broker after every plugin.
     */
    @Override
    public void close() {
        // nothing to release: the registry holds no thread or file
    }
}
