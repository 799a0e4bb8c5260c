package dev.broker.loadtest.internal;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients hands out the JDK HTTP clients that WebSocket connections are made with. Each client has
 * one selector thread; a few clients spread many connections over a few threads, so neither one
 * thread nor thousands of them carry the load. Confined to the thread that sets the run up.
 */
final class Clients {
    /** MAX is the most clients for one run. */
    static final int MAX = Math.max(2, Math.min(8, 2 * Runtime.getRuntime().availableProcessors()));

    private final List<HttpClient> clients = new ArrayList<>();
    private int next;

    /** Clients for {@code connections} WebSocket connections. */
    Clients(int connections) {
        for (int i = 0; i < Math.max(1, Math.min(MAX, connections)); i++) {
            clients.add(http());
        }
    }

    /** next is the client for the next connection, round robin. */
    HttpClient next() {
        HttpClient c = clients.get(next);
        next = (next + 1) % clients.size();
        return c;
    }

    /** http is a new HTTP/1.1 client (the broker speaks HTTP/1.1; no h2c upgrade on every request). */
    static HttpClient http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
