/**
 * The broker's core: the topic registry and router, the in-memory store, configuration, plugin
 * discovery and the one place where Guice wires the object graph. It knows plugins only through
 * {@code dev.broker.spi}: no server, store or metrics library is required here.
 */
module dev.broker.core {
    requires transitive dev.broker.spi;
    requires com.google.guice;
    requires jakarta.inject;
    // Guice is an automatic module: the modules it needs at run time are not resolved for it, so
    // the core, which brings Guice in, requires them.
    requires com.google.common;
    requires org.aopalliance;
    requires info.picocli;
    requires org.slf4j;

    exports dev.broker.core;

    // Guice injects into the wiring and the classes it builds.
    opens dev.broker.core.internal to com.google.guice;

    uses dev.broker.spi.TransportProvider;
    uses dev.broker.spi.MessageStoreProvider;
    uses dev.broker.spi.MetricsProvider;
    uses dev.broker.spi.AuthProvider;

    provides dev.broker.spi.MessageStoreProvider with dev.broker.core.internal.MemoryStoreProvider;
}
