package dev.broker.transport.websocket.internal;

import dev.broker.api.MessageBroker;
import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.web.WebServer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/**
 * WebSocketTransport serves {@code /ws} on the shared web server. Idle connections get a ping
 * every {@value #PING_SECONDS} seconds; one that answers nothing for {@value #IDLE_SECONDS}
 * seconds is closed. Its methods are called from the broker's start-up and shut-down thread.
 */
final class WebSocketTransport implements Transport {
    static final String PATH = "/ws";
    static final long PING_SECONDS = 30;
    static final long IDLE_SECONDS = 120;
    /** Room in a frame for the fields around a message's data. */
    private static final int FRAME_OVERHEAD = 64 * 1024;

    private final WebServer server;
    private final Connections connections;
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-ws-ping");
        t.setDaemon(true);
        return t;
    });

    WebSocketTransport(BrokerContext context) {
        MessageBroker broker = context.broker();
        this.connections = new Connections(context.observer());
        int maxFrame = context.config().maxMessageSize() + FRAME_OVERHEAD;
        ServletContextHandler handler = new ServletContextHandler();
        handler.setContextPath("/");
        JakartaWebSocketServletContainerInitializer.configure(handler, (servletContext, container) -> {
            container.setDefaultMaxTextMessageBufferSize(maxFrame);
            container.setDefaultMaxSessionIdleTimeout(TimeUnit.SECONDS.toMillis(IDLE_SECONDS));
            container.addEndpoint(ServerEndpointConfig.Builder.create(Connection.class, PATH)
                    .configurator(new ServerEndpointConfig.Configurator() {
                        @Override
                        public <T> T getEndpointInstance(Class<T> type) {
                            return type.cast(new Connection(broker, connections));
                        }
                    })
                    .build());
        });
        this.server = WebServer.of(context);
        server.route(PATH, handler);
    }

    @Override
    public void start() throws Exception {
        server.start();
        pinger.scheduleAtFixedRate(connections::pingAll, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public List<URI> endpoints() {
        return List.of(server.uri("ws", PATH));
    }

    @Override
    public void close() {
        pinger.shutdownNow();
        connections.closeAll();
    }
}
