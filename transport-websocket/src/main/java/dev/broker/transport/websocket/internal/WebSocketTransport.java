package dev.broker.transport.websocket.internal;

import dev.broker.api.ErrorCode;
import dev.broker.api.MessageBroker;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.web.Access;
import dev.broker.web.WebServer;
import dev.broker.web.json.Problem;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * WebSocketTransport serves {@code /ws} on the shared web server with Jetty's core WebSocket API,
 * which lets a connection stop reading (backpressure) and batch its writes (docs/websocket.md).
 * Idle connections get a ping every {@value #PING_SECONDS} seconds; one that answers nothing for
 * {@value #IDLE_SECONDS} seconds is closed. Its methods are called from the broker's start-up and
 * shut-down thread.
 */
final class WebSocketTransport implements Transport {
    static final String PATH = "/ws";
    static final long PING_SECONDS = 30;
    static final long IDLE_SECONDS = 120;
    /** Room in a frame for the fields around a message's data. */
    private static final int FRAME_OVERHEAD = 64 * 1024;
    /** MIN_PENDING_BYTES is the least a client's unsent output is bounded by. */
    static final long MIN_PENDING_BYTES = 16L << 20;
    /** OUTPUT_BUFFER is what Jetty gathers batched frames in before a write. */
    private static final int OUTPUT_BUFFER = 32 * 1024;

    private final WebServer server;
    private final Connections connections;
    /** timer pings every connection and resumes reading a rate-limited one. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-ws-timer");
        t.setDaemon(true);
        return t;
    });

    WebSocketTransport(BrokerContext context) {
        MessageBroker broker = context.broker();
        BrokerConfig config = context.config();
        this.connections = new Connections(context.observer());
        this.server = WebServer.of(context);
        // What may wait to be sent to one client, in bytes: 16 MiB, or four of the largest frames
        // (docs/websocket.md).
        long maxPendingBytes = Math.max(MIN_PENDING_BYTES, 4L * (config.maxMessageSize() + FRAME_OVERHEAD));
        WebSocketNegotiator.AbstractNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
            @Override
            public FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
                // A page may only open /ws from an allowed origin; clients that send no Origin are not browsers (docs/limits.md).
                String origin = request.getHeaders().get(HttpHeader.ORIGIN);
                if (!config.allowsOrigin(origin)) {
                    response.setStatus(403);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
                    response.write(true, ByteBuffer.wrap(Problem.json(ErrorCode.FORBIDDEN, 403, "the origin '" + origin
                            + "' may not open " + PATH + " (WS_ALLOWED_ORIGINS)")), callback);
                    return null;
                }
                // The web server authenticated the upgrade request (docs/security.md).
                Access access = server.access();
                return new Connection(broker, connections, config.wsMaxUnanswered(), config.wsRateLimit(),
                        config.wsMaxSubscriptions(), maxPendingBytes, timer, access, access.principal(request));
            }
        };
        negotiator.setMaxTextMessageSize(config.maxMessageSize() + FRAME_OVERHEAD);
        negotiator.setIdleTimeout(Duration.ofSeconds(IDLE_SECONDS));
        negotiator.setOutputBufferSize(OUTPUT_BUFFER);
        // The server's thread pool and buffers: WebSocketComponents' defaults make a pool of their
        // own, which refused every flush handed to it, so flushes ran on the thread that asked
        // (the store's completer) with an exception each time (docs/BENCHMARKS.md).
        WebSocketUpgradeHandler upgrade = new WebSocketUpgradeHandler(
                new WebSocketComponents(null, null, server.bufferPool(), null, null, server.executor()));
        upgrade.addMapping(PATH, negotiator);
        // Under a root context: the upgrade handler matches the path within a context.
        server.route(PATH, new ContextHandler(upgrade, "/"));
    }

    @Override
    public void start() throws Exception {
        server.start();
        timer.scheduleAtFixedRate(connections::pingAll, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public List<URI> endpoints() {
        return List.of(server.uri("ws", PATH));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        connections.closeAll();
    }
}
