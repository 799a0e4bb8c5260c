package dev.broker.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broker.client.BrokerException;
import dev.broker.client.BrokerRefusedException;
import dev.broker.client.BrokerUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Http is the JDK's HTTP client set up for one broker: its address, its token, timeouts, and the
 * mapping of answers to results or {@link BrokerException}s. Thread-safe.
 */
public final class Http implements AutoCloseable {
    private final URI base;
    private final Optional<String> token;
    private final Duration requestTimeout;
    private final ExecutorService executor;
    private final HttpClient client;

    /** Http talks to the broker at {@code base} (ending in {@code /}). */
    public Http(URI base, Optional<String> token, Duration connectTimeout, Duration requestTimeout, Optional<SSLContext> tls) {
        this.base = base;
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.executor = Executors.newCachedThreadPool(daemons("broker-client-http"));
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .executor(executor);
        tls.ifPresent(b::sslContext);
        this.client = b.build();
    }

    /** daemons names the threads of a pool and makes them daemons, so a forgotten client never holds the JVM. */
    public static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** base is the broker's HTTP address. */
    public URI base() {
        return base;
    }

    /** token is the bearer token sent with every request, if any. */
    public Optional<String> token() {
        return token;
    }

    /** client is the JDK client, shared with the WebSocket subscriptions. */
    public HttpClient client() {
        return client;
    }

    /** segment percent-encodes one path segment or query value; the broker judges what it means. */
    public static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Answer is an HTTP answer the broker gave with a 2xx status. */
    public record Answer(int status, String body) {
        /** json is the body as a JSON tree. */
        public JsonNode json() {
            return Json.tree(body);
        }
    }

    /** get sends a GET. */
    public CompletableFuture<Answer> get(String path, Duration extraTime) {
        return send(request(path, extraTime).GET().build());
    }

    /** delete sends a DELETE. */
    public CompletableFuture<Answer> delete(String path) {
        return send(request(path, Duration.ZERO).DELETE().build());
    }

    /** post sends a POST with a JSON body and extra headers. */
    public CompletableFuture<Answer> post(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder r = request(path, Duration.ZERO).header("Content-Type", "application/json");
        headers.forEach(r::header);
        return send(r.POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpRequest.Builder request(String path, Duration extraTime) {
        // No Accept header: the broker answers JSON whatever it says (docs/client.md), and brokers
        // built before 2026-12-03 answered 406 to "Accept: application/json" on ack, nack, extend
        // and redrive.
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout.plus(extraTime));
        token.ifPresent(t -> r.header("Authorization", "Bearer " + t));
        return r;
    }

    private CompletableFuture<Answer> send(HttpRequest request) {
        CompletableFuture<HttpResponse<String>> raw = client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        CompletableFuture<Answer> answer = raw.handle((response, failure) -> {
                    if (failure != null) {
                        throw unavailable(request, failure);
                    }
                    if (response.statusCode() >= 400) {
                        throw refused(response);
                    }
                    return new Answer(response.statusCode(), response.body());
                });
        // Cancelling the answer aborts the request, so that a long poll given up ends on the broker too.
        answer.whenComplete((a, failure) -> {
            if (answer.isCancelled()) {
                raw.cancel(true);
            }
        });
        return answer;
    }

    private static BrokerUnavailableException unavailable(HttpRequest request, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String why = cause instanceof HttpTimeoutException ? "no answer in time"
                : cause instanceof java.net.ConnectException ? "connection refused"
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new BrokerUnavailableException("the broker at " + request.uri().resolve("/") + " could not be reached ("
                + request.method() + " " + request.uri().getRawPath() + "): " + why, cause);
    }

    /** refused reads a problem+json answer; an answer that is not one still gets a code from its status. */
    static BrokerRefusedException refused(HttpResponse<String> response) {
        int status = response.statusCode();
        Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(Http::seconds);
        String code = null;
        String detail = null;
        try {
            JsonNode problem = Json.MAPPER.readTree(response.body());
            if (problem != null && problem.hasNonNull("type")) {
                code = lastSegment(problem.get("type").asText());
                detail = problem.hasNonNull("detail") ? problem.get("detail").asText()
                        : problem.hasNonNull("title") ? problem.get("title").asText() : "";
            }
        } catch (IOException notJson) {
            // an answer from something in front of the broker (a proxy): the status says enough
        }
        if (code == null) {
            code = switch (status) {
                case 400 -> "invalid-parameter";
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "not-found";
                case 405 -> "method-not-allowed";
                case 413 -> "request-too-large";
                case 415 -> "unsupported-media-type";
                case 503 -> "store-unavailable";
                default -> status >= 500 ? "internal-error" : "http-" + status;
            };
            String body = response.body() == null ? "" : response.body().strip();
            detail = "HTTP " + status + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
        }
        return new BrokerRefusedException(code, status, detail, retryAfter);
    }

    private static String lastSegment(String type) {
        int cut = Math.max(type.lastIndexOf(':'), type.lastIndexOf('/'));
        return type.substring(cut + 1);
    }

    private static Optional<Duration> seconds(String text) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * map is {@code f.thenApply(fn)} whose cancellation cancels {@code f}: giving up a long poll
     * ends it on the broker too, instead of leaving it to take a message nobody reads.
     */
    public static <A, B> CompletableFuture<B> map(CompletableFuture<A> f, java.util.function.Function<A, B> fn) {
        CompletableFuture<B> mapped = f.thenApply(fn);
        mapped.whenComplete((b, failure) -> {
            if (mapped.isCancelled()) {
                f.cancel(true);
            }
        });
        return mapped;
    }

    /** join waits for an answer and rethrows the client's own exceptions as they are. */
    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new BrokerUnavailableException("interrupted while waiting for the broker", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new BrokerUnavailableException("the request failed: " + cause, cause);
        }
    }

    /** unwrap is the failure inside a CompletionException. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
