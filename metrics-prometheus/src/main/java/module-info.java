/**
 * The Prometheus metrics plugin: {@code GET /metrics} on the broker's shared web server, in the
 * Prometheus text format 0.0.4, or OpenMetrics when the scraper's {@code Accept} asks for it. Found
 * by {@link java.util.ServiceLoader} as the metrics plugin named {@code prometheus}; it exports
 * nothing, and removing its jar removes {@code /metrics} and nothing else.
 */
module dev.broker.metrics.prometheus {
    requires dev.broker.web;
    // Prometheus client_java 1.x: automatic modules (no module-info in the jars).
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.config;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;
    // JvmMetrics (an automatic module) reads the JVM's MXBeans; automatic modules make no JDK
    // module resolve, so the ones it reads are required here.
    requires java.management;
    requires jdk.management;
    requires org.slf4j;

    provides dev.broker.spi.MetricsProvider with dev.broker.metrics.prometheus.internal.PrometheusMetricsProvider;
}
