package dev.broker.client;

import dev.broker.client.internal.Api;
import dev.broker.client.internal.Http;
import dev.broker.client.internal.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;

/**
 * BrokerClient is a connection to one broker: publish, consume over HTTP, subscribe over
 * WebSocket, and the admin calls. Make one per broker and share it; close it when done.
 *
 * <pre>{@code
 * try (BrokerClient broker = BrokerClient.connect("http://localhost:8080")) {
 *     broker.publish("orders", "{\"id\":1}");
 *     broker.consumerLoop("orders").group("billing").concurrency(4)
 *           .start(m -> System.out.println(m.data()));
 * }
 * }</pre>
 *
 * <p>Thread-safe: every method may be called from any thread at once. Blocking methods wait for
 * the broker's answer; the {@code ...Async} ones return at once with a future completed on the
 * client's own threads. Failures are {@link BrokerRefusedException} (the broker answered with an
 * error, typed by its {@link ErrorCode}) or {@link BrokerUnavailableException} (no answer); bad
 * arguments are refused with {@link IllegalArgumentException} before anything is sent.
 *
 * <p>Back-pressure: at most {@link Builder#maxPendingPublishes} publishes (256 by default) wait
 * for their answer at once; {@code publishAsync} blocks its caller while that many are pending,
 * so a fast publisher is slowed to the broker's pace instead of filling memory. A broker that is
 * full answers 429 {@code topic-full} with {@link BrokerRefusedException#retryAfter()}.
 */
public final class BrokerClient implements AutoCloseable {
    private final Http http;
    private final Api api;
    private final Semaphore publishes;
    private final ScheduledExecutorService timer;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();

    private BrokerClient(Builder b) {
        this.http = new Http(b.base, b.token, b.connectTimeout, b.requestTimeout, b.tls);
        this.api = new Api(http);
        this.publishes = new Semaphore(b.maxPendingPublishes);
        this.timer = Executors.newSingleThreadScheduledExecutor(Http.daemons("broker-client-timer"));
    }

    /**
     * connect is a client of the broker at {@code url} ({@code http://host:port}), with no token.
     *
     * @throws IllegalArgumentException when {@code url} is not an http or https address
     */
    public static BrokerClient connect(String url) {
        return builder(url).build();
    }

    /** builder starts the settings of a client of the broker at {@code url}. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    // ---- publish -------------------------------------------------------------------------------

    /** publish stores one message whose data is the JSON text {@code json}, and returns where. */
    public Published publish(String topic, String json) {
        return publish(topic, json, Map.of());
    }

    /**
     * publish stores one message with headers ({@code name} to value; a name is letters, digits,
     * {@code -} and {@code _}, and is lowercased by the broker).
     */
    public Published publish(String topic, String json, Map<String, String> headers) {
        return Http.join(publishAsync(topic, json, headers));
    }

    /** publishValue stores one message whose data is {@code value} written as JSON by Jackson. */
    public Published publishValue(String topic, Object value) {
        return publish(topic, Json.write(value), Map.of());
    }

    /**
     * publishAsync sends one message and returns at once; the future completes once it is stored.
     * Blocks while {@link Builder#maxPendingPublishes} publishes wait for their answer. Two
     * publishes in flight at once may be stored in either order: wait for one before sending the
     * next where order matters.
     */
    public CompletableFuture<Published> publishAsync(String topic, String json, Map<String, String> headers) {
        return publishAsync(topic, json, headers, PublishOptions.NONE);
    }

    /**
     * publish stores one message with a delay, an expiry or an idempotency key; a repeat of a key
     * within the broker's DEDUP_WINDOW returns the first answer, {@link Published#replayed} set.
     */
    public Published publish(String topic, String json, Map<String, String> headers, PublishOptions options) {
        return Http.join(publishAsync(topic, json, headers, options));
    }

    /** publishAsync is {@link #publish(String, String, Map, PublishOptions)} without waiting. */
    public CompletableFuture<Published> publishAsync(String topic, String json, Map<String, String> headers,
                                                    PublishOptions options) {
        return bounded(() -> api.publish(topic, json, headers, options));
    }

    /** publishBatch stores all the messages or none (the error names the item), with the same headers. */
    public List<Published> publishBatch(String topic, List<String> json, Map<String, String> headers) {
        return Http.join(publishBatchAsync(topic, json, headers));
    }

    /** publishBatchAsync is {@link #publishBatch} without waiting; it counts as one pending publish. */
    public CompletableFuture<List<Published>> publishBatchAsync(String topic, List<String> json, Map<String, String> headers) {
        return publishBatchAsync(topic, json, headers, PublishOptions.NONE);
    }

    /** publishBatch with options, which the whole batch shares; a key covers the batch. */
    public List<Published> publishBatch(String topic, List<String> json, Map<String, String> headers, PublishOptions options) {
        return Http.join(publishBatchAsync(topic, json, headers, options));
    }

    /** publishBatchAsync with options, without waiting. */
    public CompletableFuture<List<Published>> publishBatchAsync(String topic, List<String> json, Map<String, String> headers,
                                                                PublishOptions options) {
        return bounded(() -> api.publishBatch(topic, json, headers, options));
    }

    private <T> CompletableFuture<T> bounded(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            publishes.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while waiting to publish", e);
        }
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            publishes.release();
            throw e;
        }
        f.whenComplete((r, failure) -> publishes.release());
        return f;
    }

    // ---- consume over HTTP ---------------------------------------------------------------------

    /** consume takes at most one message; empty when there is none (after the options' wait). */
    public Optional<Message> consume(String topic, ConsumeOptions options) {
        return Http.join(api.consume(topic, options));
    }

    /** consumeBatch takes at most {@code limit} (1 to 1000) messages; empty when there are none. */
    public List<Message> consumeBatch(String topic, int limit, ConsumeOptions options) {
        return Http.join(consumeBatchAsync(topic, limit, options));
    }

    /** consumeBatchAsync is {@link #consumeBatch} without waiting. */
    public CompletableFuture<List<Message>> consumeBatchAsync(String topic, int limit, ConsumeOptions options) {
        return api.consumeBatch(topic, limit, options);
    }

    /** ack finishes manual deliveries by their receipts; stale receipts are named in the answer. */
    public Settled ack(String topic, String group, Collection<String> receipts) {
        return Http.join(api.settle("ack", topic, group, receipts, Optional.empty(), Duration.ZERO));
    }

    /** ackAsync is {@link #ack} without waiting. */
    public CompletableFuture<Settled> ackAsync(String topic, String group, Collection<String> receipts) {
        return api.settle("ack", topic, group, receipts, Optional.empty(), Duration.ZERO);
    }

    /** nack hands deliveries back to their group at once. */
    public Settled nack(String topic, String group, Collection<String> receipts) {
        return nack(topic, group, receipts, "", Duration.ZERO);
    }

    /**
     * nack hands deliveries back to their group, to be delivered again after {@code delay}; a
     * non-empty {@code reason} is kept as {@code x-last-error} if they end up dead-lettered.
     */
    public Settled nack(String topic, String group, Collection<String> receipts, String reason, Duration delay) {
        return Http.join(api.settle("nack", topic, group, receipts, Optional.of(reason), delay));
    }

    /** extend renews the leases of manual deliveries by their group's ack timeout. */
    public Settled extend(String topic, String group, Collection<String> receipts) {
        return Http.join(api.settle("extend", topic, group, receipts, Optional.empty(), Duration.ZERO));
    }

    /** consumerLoop starts setting up a loop that consumes {@code topic} with a handler. */
    public ConsumerLoop.Builder consumerLoop(String topic) {
        return new ConsumerLoop.Builder(http, this::opened, topic);
    }

    // ---- subscribe over WebSocket -------------------------------------------------------------

    /** subscription starts setting up a WebSocket subscription to a topic or pattern. */
    public Subscription.Builder subscription(String topicOrPattern) {
        return new Subscription.Builder(http, timer, this::opened, topicOrPattern);
    }

    private void opened(AutoCloseable c) {
        open.add(c);
    }

    // ---- groups and admin ----------------------------------------------------------------------

    /** createGroup makes a durable group; {@link Group#created()} is false when an identical one existed. */
    public Group createGroup(String topic, GroupSettings settings) {
        return Http.join(api.createGroup(topic, settings));
    }

    /** topics lists the topics (those the token may use). */
    public List<TopicInfo> topics() {
        return Http.join(api.topics());
    }

    /** stats reads a topic's statistics; {@link ErrorCode#TOPIC_NOT_FOUND} if there is no such topic. */
    public TopicStats stats(String topic) {
        return Http.join(api.stats(topic));
    }

    /** browse reads up to {@code limit} (1 to 1000) messages from offset {@code from} without leasing them. */
    public List<Message> browse(String topic, long from, int limit) {
        return Http.join(api.browse(topic, from, limit));
    }

    /** redrive hands {@code group}'s dead letters of {@code topic} back to it, and says how many. */
    public long redrive(String topic, String group) {
        return Http.join(api.redrive(topic, group));
    }

    /** deleteTopic removes a topic, its messages and groups; {@link ErrorCode#TOPIC_NOT_FOUND} if there is none. */
    public void deleteTopic(String topic) {
        Http.join(api.delete(topic));
    }

    /**
     * close closes the subscriptions and consumer loops made by this client, then the client.
     * Repeat calls do nothing.
     */
    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(open);
        open.clear();
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
        timer.shutdownNow();
        http.close();
    }

    /** Builder holds a client's settings. Not thread-safe. */
    public static final class Builder {
        private final URI base;
        private Optional<String> token = Optional.empty();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Optional<SSLContext> tls = Optional.empty();
        private int maxPendingPublishes = 256;

        private Builder(String url) {
            Objects.requireNonNull(url, "url");
            URI u;
            try {
                u = URI.create(url.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + url + "' is not a broker address: " + e.getMessage());
            }
            if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("'" + url + "' is not a broker address: use http://host:port or https://host:port");
            }
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            this.base = u.resolve(path.endsWith("/") ? path : path + "/");
        }

        /** token is sent with every request as {@code Authorization: Bearer}, and on the WebSocket upgrade. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("a token is printable ASCII without spaces");
            }
            this.token = Optional.of(token);
            return this;
        }

        /** connectTimeout bounds opening a connection (10 s by default). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** requestTimeout bounds waiting for an answer, besides a long poll's own wait (30 s by default). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        /** tls sets the TLS context for an https broker (the JDK's default trust otherwise). */
        public Builder tls(SSLContext context) {
            this.tls = Optional.of(Objects.requireNonNull(context, "context"));
            return this;
        }

        /** maxPendingPublishes bounds the publishes that wait for their answer at once (256 by default). */
        public Builder maxPendingPublishes(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxPendingPublishes is 1 or more, not " + n);
            }
            this.maxPendingPublishes = n;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            return d;
        }

        /** build makes the client; it connects on its first call. */
        public BrokerClient build() {
            return new BrokerClient(this);
        }
    }
}
