package dev.broker.transport.http.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.web.WebServer;
import java.net.URI;
import java.util.List;
import org.eclipse.jetty.server.handler.EagerContentHandler;
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

    /**
     * RETAINED_CHUNKS is how many pieces of a body are held before Jersey gets the request anyway.
     * Each held piece pins a network buffer (about 1 KB measured), so the bound keeps a trickling
     * client from holding much memory; a body that comes at once is one or two pieces.
     */
    private static final int RETAINED_CHUNKS = 16;

    private final WebServer server;

    HttpTransport(BrokerContext context) {
        FALSE_PROVIDER_WARNING.setLevel(java.util.logging.Level.SEVERE);
        this.server = WebServer.of(context);
        ResourceConfig app = new ResourceConfig()
                .setApplicationName("broker-http")
                .registerInstances(new ApiResource(context.broker(), context.admin(), context.config(), server.access()))
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
        // Jersey reads bodies with blocking reads: it gets a request only once its whole (small)
        // body is in, read without a thread, so clients that send headers and stop hold none of
        // the server's threads; one that trickles a body in many pieces still does (docs/limits.md).
        server.route("/", new ValidTargetHandler(new EagerContentHandler(container,
                new EagerContentHandler.RetainedContentLoaderFactory(ApiResource.MAX_SMALL_BODY + 1L, RETAINED_CHUNKS, false))));
        server.route(PublishHandler.PATH_SPEC, new PublishHandler(context.broker(), context.config(), server.access()));
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
