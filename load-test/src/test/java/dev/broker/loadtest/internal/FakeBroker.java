package dev.broker.loadtest.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FakeBroker is a test double of the broker's HTTP API, on the JDK's HTTP server: it answers
 * publishes with 201 and serves them to batch consumers in order, but never serves the offsets in
 * {@code drop} and serves those in {@code duplicate} twice. It can also stall its first publish,
 * to see that open-loop latency shows the stall. Thread-safe.
 */
final class FakeBroker implements AutoCloseable {
    private static final Pattern ITEM = Pattern.compile("\\{[^{}]*\\}");
    private static final Pattern LIMIT = Pattern.compile("limit=(\\d+)");
    private static final Pattern RECEIPT = Pattern.compile("\"([^\"]+)\"");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Set<Long> drop;
    private final Set<Long> duplicate;
    private final long stallFirstPublishMillis;
    private final List<String> log = new ArrayList<>();
    private final AtomicInteger publishes = new AtomicInteger();
    private final AtomicInteger acked = new AtomicInteger();
    private int served;
    private final List<String> redo = new ArrayList<>();

    FakeBroker(Set<Long> drop, Set<Long> duplicate, long stallFirstPublishMillis) throws IOException {
        this.drop = drop;
        this.duplicate = duplicate;
        this.stallFirstPublishMillis = stallFirstPublishMillis;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int acked() {
        return acked.get();
    }

    synchronized int stored() {
        return log.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (path.equals("/health")) {
                answer(exchange, 200, "{\"status\":\"UP\"}");
            } else if (path.startsWith("/subscribe/")) {
                answer(exchange, 201, "{\"group\":\"g\",\"startFrom\":\"latest\"}");
            } else if (path.startsWith("/publish/batch/")) {
                stallOnce();
                List<String> items = new ArrayList<>();
                Matcher m = ITEM.matcher(body);
                while (m.find()) {
                    items.add(m.group());
                }
                StringBuilder out = new StringBuilder("{\"count\":" + items.size() + ",\"messages\":[");
                for (String item : items) {
                    long offset = append(item);
                    out.append(out.charAt(out.length() - 1) == '[' ? "" : ",").append("{\"id\":\"i").append(offset)
                            .append("\",\"offset\":").append(offset).append('}');
                }
                answer(exchange, 201, out.append("]}").toString());
            } else if (path.startsWith("/publish/")) {
                stallOnce();
                long offset = append(body);
                answer(exchange, 201, "{\"id\":\"i" + offset + "\",\"topic\":\"t\",\"offset\":" + offset
                        + ",\"timestamp\":\"2026-11-28T01:07:49.715Z\"}");
            } else if (path.startsWith("/consume/") && path.endsWith("/batch")) {
                Matcher m = LIMIT.matcher(exchange.getRequestURI().getQuery());
                int limit = m.find() ? Integer.parseInt(m.group(1)) : 10;
                boolean manual = exchange.getRequestURI().getQuery().contains("ack=manual");
                List<String> batch = take(limit, manual);
                if (batch.isEmpty()) {
                    sleep(20);
                }
                answer(exchange, 200, "[" + String.join(",", batch) + "]");
            } else if (path.startsWith("/ack/")) {
                Matcher m = RECEIPT.matcher(body.substring(body.indexOf('[')));
                int n = 0;
                while (m.find()) {
                    n++;
                }
                acked.addAndGet(n);
                answer(exchange, 200, "{\"acked\":" + n + ",\"stale\":[]}");
            } else {
                answer(exchange, 404, "{\"type\":\"urn:broker:error:not-found\",\"status\":404}");
            }
        } finally {
            exchange.close();
        }
    }

    private synchronized long append(String data) {
        log.add(data);
        return log.size() - 1;
    }

    /** take hands out the next messages in order, leaving out the dropped ones and repeating the duplicated ones once. */
    private synchronized List<String> take(int limit, boolean manual) {
        List<String> out = new ArrayList<>(redo);
        redo.clear();
        while (out.size() < limit && served < log.size()) {
            long offset = served++;
            if (drop.contains(offset)) {
                continue;
            }
            String message = message(offset, manual);
            out.add(message);
            if (duplicate.contains(offset)) {
                redo.add(message);
            }
        }
        return out;
    }

    private String message(long offset, boolean manual) {
        return "{\"id\":\"i" + offset + "\",\"topic\":\"t\",\"data\":" + log.get((int) offset) + ",\"headers\":{},"
                + "\"timestamp\":\"2026-11-28T01:07:49.715Z\",\"retryCount\":0,\"offset\":" + offset + ",\"group\":\"g\""
                + (manual ? ",\"receipt\":\"" + offset + ".r\"" : "") + "}";
    }

    private void stallOnce() {
        if (publishes.getAndIncrement() == 0 && stallFirstPublishMillis > 0) {
            sleep(stallFirstPublishMillis);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
