package dev.broker.metrics.prometheus.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.MetricsProvider;

/** PrometheusMetricsProvider offers the metrics plugin named {@code prometheus}: {@code GET /metrics}. Stateless. */
public final class PrometheusMetricsProvider implements MetricsProvider {
    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public AutoCloseable create(BrokerContext context) {
        return new PrometheusMetrics(context, PrometheusMetrics.MAX_TOPICS, PrometheusMetrics.MAX_GROUPS);
    }
}
