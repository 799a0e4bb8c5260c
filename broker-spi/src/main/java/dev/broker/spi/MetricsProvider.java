package dev.broker.spi;

/**
 * MetricsProvider is the cheap, stateless entry of a metrics plugin, found with
 * {@link java.util.ServiceLoader}. Every metrics plugin found is created, once per broker, before
 * the transports start.
 */
public interface MetricsProvider {
    /** name is the plugin's unique name, such as {@code prometheus}; lowercase, stable. */
    String name();

    /**
     * create makes the plugin. It reads the broker through the context's read-only views and may
     * register routes with shared objects, as a transport does.
     */
    AutoCloseable create(BrokerContext context);
}
