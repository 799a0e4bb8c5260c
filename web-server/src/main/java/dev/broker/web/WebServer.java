package dev.broker.web;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerContext;
import dev.broker.web.internal.AuthenticationHandler;
import dev.broker.web.internal.BodyRateHandler;
import dev.broker.web.internal.HeaderDeadline;
import dev.broker.web.internal.ProblemErrorHandler;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.ssl.KeyStoreScanner;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebServer is the Jetty server behind the broker's one port. Each plugin that serves on the port
 * adds its handler under a path with {@link #route} while it is created; the first
 * {@link #start} starts the server with every route added so far. Unmatched paths get a 404
 * problem. Thread-safe.
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    /** IDLE_TIMEOUT_MS outlasts the longest long-poll (30 s), so a waiting client is not cut off. */
    private static final long IDLE_TIMEOUT_MS = 65_000;
    /** KEYSTORE_SCAN_SECONDS is how often a changed TLS keystore is noticed (certificate rotation). */
    private static final int KEYSTORE_SCAN_SECONDS = 1;

    private final BrokerConfig config;
    private final Access access;
    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Handler> routes = new LinkedHashMap<>();
    /** openness tells, for each route, whether it is served without a token ({@link #routeOpen}). */
    private final PathMappings<Boolean> openness = new PathMappings<>();
    private final ConnectionStatistics statistics = new ConnectionStatistics();
    private final HeaderDeadline deadlines = new HeaderDeadline();
    private boolean started;

    private WebServer(BrokerConfig config, Access access) {
        this.config = config;
        this.access = access;
        QueuedThreadPool threads = new QueuedThreadPool(200, 8, 60_000);
        threads.setName("broker-web");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        if (config.tls().enabled()) {
            // HTTPS and WSS only on PORT; the keystore is re-read when it changes (docs/security.md).
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(config.tls().keystore().get().toAbsolutePath().toString());
            tls.setKeyStoreType("PKCS12");
            tls.setKeyStorePassword(config.tls().password());
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // Clients may reach the broker by an address the certificate does not name (a pod IP).
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            this.connector = new ServerConnector(server, new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
            KeyStoreScanner rotation = new KeyStoreScanner(tls);
            rotation.setScanInterval(KEYSTORE_SCAN_SECONDS);
            server.addBean(rotation);
        } else {
            this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector.addBean(statistics);
        // Connections that trickle a request's headers (or body) are closed (docs/limits.md).
        connector.addBean(deadlines);
        server.addConnector(connector);
        // Past MAX_CONNECTIONS the port stops accepting: new connections wait in the kernel's
        // backlog while the open ones are served, and are taken as others close.
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), connector));
        server.setErrorHandler(new ProblemErrorHandler());
        server.setStopTimeout(5_000);
    }

    /** of returns the broker's one web server, made on first use. */
    public static WebServer of(BrokerContext context) {
        return context.shared(WebServer.class, () -> new WebServer(context.config(),
                new Access(context.authenticator(), context.config().auth().metricsPublic())));
    }

    /**
     * executor is the server's thread pool ({@code broker-web-*}): plugins run their connections'
     * work there, not on pools of their own.
     */
    public java.util.concurrent.Executor executor() {
        return server.getThreadPool();
    }

    /** bufferPool is the server's pool of network buffers, for plugins that write to connections. */
    public org.eclipse.jetty.io.ByteBufferPool bufferPool() {
        return server.getByteBufferPool();
    }

    /** access is who may do what on this server's port (docs/security.md). */
    public Access access() {
        return access;
    }

    /**
     * route serves requests whose path matches {@code pathSpec} (Jetty's syntax: {@code /ws} exact,
     * {@code /metrics}, {@code /} for everything else) with the handler. The most specific match
     * wins.
     *
     * @throws IllegalStateException if the server has started or the path is taken
     */
    public synchronized void route(String pathSpec, Handler handler) {
        if (started) {
            throw new IllegalStateException("routes must be added before the web server starts");
        }
        if (routes.putIfAbsent(pathSpec, handler) != null) {
            throw new IllegalStateException("the path " + pathSpec + " is served by another plugin already");
        }
        openness.put(PathSpec.from(pathSpec), false);
    }

    /**
     * routeOpen is {@link #route} for content that holds nothing of the broker's, such as the
     * admin console's static files: with authentication on, requests whose most specific route is
     * this one need no token, so that a browser can load the page that then asks for one. Every
     * request the page makes to the API still needs its token (docs/security.md).
     *
     * @throws IllegalStateException if the server has started or the path is taken
     */
    public synchronized void routeOpen(String pathSpec, Handler handler) {
        route(pathSpec, handler);
        openness.put(PathSpec.from(pathSpec), true);
    }

    /** open tells whether a path is served without a token: one of {@link Access}'s, or an open route's. */
    private boolean open(String path) {
        if (access.open(path)) {
            return true;
        }
        MatchedResource<Boolean> route = openness.getMatched(path);
        return route != null && route.getResource();
    }

    /** start starts the server on the configured port, once; later calls do nothing. */
    public synchronized void start() throws Exception {
        if (started) {
            return;
        }
        PathMappingsHandler mappings = new PathMappingsHandler();
        routes.forEach((spec, handler) -> mappings.addMapping(PathSpec.from(spec), handler));
        Handler routed = access.enabled() ? new AuthenticationHandler(mappings, this::open, access::authenticate) : mappings;
        server.setHandler(new BodyRateHandler(routed));
        try {
            server.start();
        } catch (java.io.IOException e) {
            server.stop();
            throw new IllegalStateException("cannot listen on port " + config.port() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            server.stop();
            throw new IllegalStateException("the web server could not start: " + e.getMessage(), e);
        }
        started = true;
        LOG.debug("web server listening on port {} with routes {}", port(), routes.keySet());
    }

    /** port is the port the server listens on: the configured one, or the one picked for port 0. */
    public int port() {
        return connector.getLocalPort() > 0 ? connector.getLocalPort() : config.port();
    }

    /** openConnections counts the TCP connections open on the port now, WebSocket ones included. */
    public long openConnections() {
        return statistics.getConnections();
    }

    /**
     * uri is the address of a path on this server, for a scheme such as {@code http} or
     * {@code ws}: {@code https} and {@code wss} when the port speaks TLS.
     */
    public URI uri(String scheme, String path) {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        String s = !config.tls().enabled() ? scheme : scheme.equals("http") ? "https" : scheme.equals("ws") ? "wss" : scheme;
        return URI.create(s + "://" + host + ":" + port() + path);
    }

    @Override
    public synchronized void close() throws Exception {
        if (server.isStarted() || server.isStarting()) {
            server.stop();
        }
        deadlines.close();
    }
}
