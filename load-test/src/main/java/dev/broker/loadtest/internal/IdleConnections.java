package dev.broker.loadtest.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * IdleConnections is the {@code --idle-connections N} run: it opens N WebSocket connections, each
 * a broadcast subscriber of the topic that then sends nothing, holds them for {@code --duration}
 * (10 s by default), and reports how many opened and how many were still open at the end. The
 * broker's heap can be read while the tool prints the {@code holding} line. Confined to the thread
 * that calls {@link #execute}; connections report on the client's threads.
 */
final class IdleConnections {
    /** OPENING is how many connections may be opening at once. */
    static final int OPENING = 64;
    static final Duration DEFAULT_HOLD = Duration.ofSeconds(10);
    private static final long OPEN_TIMEOUT_SECONDS = 60;

    private final Arguments arguments;
    private final PrintStream out;
    private final PrintStream err;
    private final Queue<WsConnection> open = new ConcurrentLinkedQueue<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    IdleConnections(Arguments arguments, PrintStream out, PrintStream err) {
        this.arguments = arguments;
        this.out = out;
        this.err = err;
    }

    /** execute runs the test and returns the exit status. */
    int execute() throws SetupException, InterruptedException {
        int requested = arguments.idleConnections();
        Duration hold = arguments.duration().orElse(DEFAULT_HOLD);
        try (Clients clients = new Clients(requested)) {
            return execute(clients, requested, hold);
        }
    }

    private int execute(Clients clients, int requested, Duration hold) throws SetupException, InterruptedException {
        Run.checkBroker(arguments, clients);
        String subscribe = "{\"type\":\"subscribe\",\"topic\":" + Wire.quote(arguments.topic()) + "}";
        out.printf(Locale.ROOT, "%s: %d idle WebSocket connections to %s, each a broadcast subscriber of %s%n", Cli.NAME, requested,
                arguments.webSocket(), arguments.topic());
        out.flush();

        long start = System.nanoTime();
        Semaphore opening = new Semaphore(OPENING);
        for (int i = 0; i < requested; i++) {
            opening.acquire();
            connect(clients, subscribe).whenComplete((c, failure) -> {
                if (failure == null) {
                    open.add(c);
                } else {
                    error(kind(failure));
                }
                opening.release();
            });
        }
        opening.acquire(OPENING);
        double openSeconds = (System.nanoTime() - start) / 1e9;
        int opened = open.size();
        out.printf(Locale.ROOT, "opened        %d of %d in %.3f s (%.0f connections/s)%n", opened, requested, openSeconds,
                opened / Math.max(openSeconds, 1e-9));
        out.printf(Locale.ROOT, "holding       %d connections for %.1f s (pid %d)%n", opened, hold.toMillis() / 1000.0,
                ProcessHandle.current().pid());
        out.flush();
        Thread.sleep(hold.toMillis());

        long stillOpen = open.stream().filter(WsConnection::isOpen).count();
        for (WsConnection c : open) {
            c.close();
        }
        Thread.sleep(500);
        for (WsConnection c : open) {
            c.abort();
        }
        Map<String, Long> counted = new TreeMap<>();
        errors.forEach((kind, n) -> counted.put(kind, n.sum()));
        boolean ok = opened == requested && stillOpen == opened;
        out.printf(Locale.ROOT, "still open    %d%n", stillOpen);
        out.println("errors        " + (counted.isEmpty() ? "none" : counted.toString()));
        out.println("result        " + (ok ? "ok" : "FAILED: " + (requested - opened) + " did not open, "
                + (opened - stillOpen) + " closed while idle"));
        out.flush();
        if (arguments.json().isPresent()) {
            StringBuilder e = new StringBuilder("{");
            counted.forEach((kind, n) -> e.append(e.length() > 1 ? "," : "").append(Wire.quote(kind)).append(':').append(n));
            String json = String.format(Locale.ROOT, "{\"tool\":%s,\"mode\":\"idle-connections\",\"url\":%s,\"topic\":%s,"
                            + "\"requested\":%d,\"opened\":%d,\"openSeconds\":%.3f,\"holdSeconds\":%.3f,\"stillOpen\":%d,"
                            + "\"errors\":%s,\"ok\":%s}%n", Wire.quote(Cli.NAME), Wire.quote(arguments.url().toString()),
                    Wire.quote(arguments.topic()), requested, opened, openSeconds, hold.toMillis() / 1000.0, stillOpen, e.append('}'), ok);
            try {
                Files.writeString(arguments.json().get(), json);
            } catch (IOException ex) {
                err.println(Cli.NAME + ": cannot write the JSON report to " + arguments.json().get() + ": " + ex.getMessage());
                return Cli.FAILED;
            }
        }
        return ok ? Cli.OK : Cli.FAILED;
    }

    /** connect opens one connection and subscribes it; the future completes once the broker said subscribed. */
    private CompletableFuture<WsConnection> connect(Clients clients, String subscribe) {
        CompletableFuture<String> subscribed = new CompletableFuture<>();
        return WsConnection.open(clients, arguments.webSocket(), frame -> {
            switch (Wire.type(frame)) {
                case "subscribed" -> subscribed.complete(frame);
                case "error" -> subscribed.completeExceptionally(new IllegalStateException("WebSocket error "
                        + Wire.string(frame, "code").orElse("?")));
                default -> {
                    // an idle subscriber ignores what it is sent
                }
            }
        }, (code, reason) -> {
            if (!subscribed.completeExceptionally(new IllegalStateException("closed " + code + " " + reason))) {
                error("closed while idle " + code + (reason == null || reason.isEmpty() ? "" : " " + reason));
            }
        }).thenCompose(c -> {
            c.send(subscribe);
            return subscribed.thenApply(frame -> c);
        }).orTimeout(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private static String kind(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return "not subscribed within " + OPEN_TIMEOUT_SECONDS + " s";
        }
        if (cause instanceof IllegalStateException) {
            return cause.getMessage();
        }
        Throwable root = cause;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return "open " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
