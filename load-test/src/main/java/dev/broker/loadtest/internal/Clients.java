package dev.broker.loadtest.internal;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;

/**
 * Clients is the run's one HTTP client and one WebSocket client, both Jetty's, used
 * asynchronously: a request or a frame is sent, and its answer is handled on the client's threads
 * when it comes. No thread waits for an answer, so a handful of threads (a selector per four cores,
 * and a worker a core) carry thousands of connections, and a request costs the tool a small part
 * of what it costs the broker. Thread-safe once started; {@link #close} stops both.
 *
 * <p>Every publisher and consumer has its own connection: the connection pool may open one per
 * sender and poller (plus a few for the run's set-up), as wrk does with {@code -c}.
 */
final class Clients implements AutoCloseable {
    /** THREAD_PREFIX names the client's threads, so that the CPU report can find them. */
    static final String THREAD_PREFIX = "load-test-client";

    private final HttpClient http;
    private final WebSocketCoreClient webSocket;

    /** Clients for up to {@code connections} connections at once; started. */
    Clients(int connections) throws SetupException {
        int cores = Runtime.getRuntime().availableProcessors();
        // Few threads, none reserved: every callback is short and nothing on the pool blocks, and
        // each extra thread woken for an answer is a context switch the broker pays for on a
        // shared machine. On 2 cores one selector and two workers published 1.5x the rate of two
        // selectors and a pool of eight, at less CPU a message (docs/load-test.md).
        int selectors = Math.max(1, cores / 4);
        QueuedThreadPool pool = new QueuedThreadPool(selectors + Math.max(2, cores), Math.min(2, selectors + 1));
        pool.setReservedThreads(0);
        pool.setName(THREAD_PREFIX);
        pool.setDaemon(true);
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(selectors);
        connector.setExecutor(pool);
        http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(pool);
        http.setMaxConnectionsPerDestination(connections + 8);
        http.setMaxRequestsQueuedPerDestination(Math.max(1024, 4 * connections));
        http.setConnectTimeout(10_000);
        http.setIdleTimeout(120_000);
        http.setFollowRedirects(false);
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, Cli.NAME));
        webSocket = new WebSocketCoreClient(http, null);
        try {
            http.start();
            webSocket.start();
        } catch (Exception e) {
            close();
            throw new SetupException("cannot start the HTTP client: " + e);
        }
    }

    HttpClient http() {
        return http;
    }

    WebSocketCoreClient webSocket() {
        return webSocket;
    }

    /** later runs {@code task} on the client's scheduler after {@code nanos}; the open-loop pacing uses it. */
    void later(Runnable task, long nanos) {
        scheduler().schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /** execute runs {@code task} on the client's pool. */
    void execute(Runnable task) {
        http.getExecutor().execute(task);
    }

    private Scheduler scheduler() {
        return http.getScheduler();
    }

    @Override
    public void close() {
        try {
            webSocket.stop();
        } catch (Exception e) {
            // stopping at the end of a run: nothing is left to lose
        }
        try {
            http.stop();
        } catch (Exception e) {
            // as above
        }
    }
}
