/**
 * The HTTP API: Jersey resources on the shared Jetty server, under {@code /}. Found by
 * {@link java.util.ServiceLoader} as the transport named {@code http}; it exports nothing.
 */
module dev.broker.transport.http {
    requires dev.broker.web;
    requires jakarta.ws.rs;
    requires org.glassfish.jersey.core.common;
    requires org.glassfish.jersey.core.server;
    requires org.glassfish.jersey.container.jetty.http;
    // Jersey finds its injection manager with ServiceLoader; HK2 is the one we ship.
    requires org.glassfish.jersey.inject.hk2;
    requires org.slf4j;
    // Jersey logs through java.util.logging; one false warning of it is turned down.
    requires java.logging;

    // Jersey and HK2 reflect on the resources and providers.
    opens dev.broker.transport.http.internal to org.glassfish.jersey.core.server, org.glassfish.hk2.locator,
            org.glassfish.hk2.utilities;

    provides dev.broker.spi.TransportProvider with dev.broker.transport.http.internal.HttpTransportProvider;
}
