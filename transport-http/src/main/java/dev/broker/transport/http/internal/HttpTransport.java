package dev.broker.transport.http.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.web.WebServer;
import java.net.URI;
import java.util.List;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.jetty.JettyHttpContainer;
import org.glassfish.jersey.jetty.JettyHttpContainerProvider;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

/**
 * HttpTransport serves the HTTP API under {@code /} of the shared web server. Its methods are
 * called from the broker's start-up and shut-down thread.
 */
final class HttpTransport implements Transport {
    /**
     * Jersey warns that a resource registered as an instance "does not implement any provider
     * interfaces" and "will be ignored", then serves it all the same (Jersey issue 3700). The
     * logger is held here so that the quieter level sticks.
     */
    private static final java.util.logging.Logger FALSE_PROVIDER_WARNING =
            java.util.logging.Logger.getLogger("org.glassfish.jersey.internal.inject.Providers");

    private final WebServer server;

    HttpTransport(BrokerContext context) {
        FALSE_PROVIDER_WARNING.setLevel(java.util.logging.Level.SEVERE);
        ResourceConfig app = new ResourceConfig()
                .setApplicationName("broker-http")
                .registerInstances(new ApiResource(context.broker(), context.admin(), context.config()))
                .register(ProblemMappers.Broker.class)
                .register(ProblemMappers.Web.class)
                .register(ProblemMappers.Unexpected.class)
                // No optional entity providers (one would pull in java.desktop) and no discovery: start-up stays quick.
                .property(CommonProperties.PROVIDER_DEFAULT_DISABLE, "ALL")
                .property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(CommonProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                .property(ServerProperties.BV_FEATURE_DISABLE, true)
                .property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        JettyHttpContainer container = new JettyHttpContainerProvider().createContainer(JettyHttpContainer.class, app);
        this.server = WebServer.of(context);
        server.route("/", container);
        server.route(PublishHandler.PATH_SPEC, new PublishHandler(context.broker(), context.config()));
    }

    @Override
    public void start() throws Exception {
        server.start();
    }

    @Override
    public List<URI> endpoints() {
        return List.of(server.uri("http", "/"));
    }

    @Override
    public void close() {
        // The shared web server is closed by the broker once every plugin has stopped.
    }
}
