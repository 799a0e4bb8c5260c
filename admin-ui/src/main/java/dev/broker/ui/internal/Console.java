package dev.broker.ui.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.web.WebServer;
import java.net.URI;
import java.util.List;

/**
 * Console serves the admin console's files under {@code /ui/} on the shared web server. The files
 * hold nothing of the broker's, so the route is open even with authentication on: the page asks
 * for a token and sends it with every API request it makes (docs/console.md). Its methods are
 * called from the broker's start-up and shut-down thread.
 */
final class Console implements Transport {
    static final String PATH = "/ui";

    private final WebServer server;

    Console(BrokerContext context) {
        this.server = WebServer.of(context);
        server.routeOpen(PATH + "/*", new ConsoleHandler());
    }

    @Override
    public void start() throws Exception {
        server.start();
    }

    @Override
    public List<URI> endpoints() {
        return List.of(server.uri("http", PATH + "/"));
    }

    @Override
    public void close() {
        // The shared web server is closed by the broker after every plugin has stopped.
    }
}
