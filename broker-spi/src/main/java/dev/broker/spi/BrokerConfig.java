package dev.broker.spi;

import dev.broker.api.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * BrokerConfig is the broker's validated configuration (SPEC section 7). Each setting comes from an
 * environment variable or the flag of the same name; the core reads and checks them, plugins read
 * this record. Immutable.
 *
 * @param port               TCP port of HTTP and WebSocket; 0 picks a free one
 * @param persistenceEnabled whether messages are written to a durable store
 * @param retention          how long a message is kept ({@code RETENTION_HOURS})
 * @param maxMessageSize     the most bytes one message's data may have
 * @param maxQueueSize       the most messages a topic keeps
 * @param dataDir            where a durable store keeps its files
 * @param maxBatchSize       the most items one batch publish may have
 * @param ackTimeout         how long a manual delivery is leased before it is handed out again
 * @param maxDeliveries      deliveries of one message before it is dead-lettered
 * @param overflowPolicy     what a publish to a full topic does
 * @param fsync              when the store forces its writes to the disk
 * @param store              the store plugin asked for by name, if any
 * @param transports         the transport plugins asked for by name; empty means all that are found
 * @param storeCacheMb       how much of the heap a durable store may use to cache its file, in MB
 * @param wsMaxUnanswered    requests a WebSocket connection may have unanswered before the broker
 *                           stops reading its frames ({@code WS_MAX_UNANSWERED})
 * @param wsRateLimit        frames a second one WebSocket connection may send, 0 for no limit
 *                           ({@code WS_RATE_LIMIT}); a faster client is read more slowly, not cut off
 * @param maxRequestSize     the most bytes one HTTP request body may have ({@code MAX_REQUEST_SIZE});
 *                           at least {@code maxMessageSize}
 * @param wsAllowedOrigins   the browser origins that may open {@code /ws} ({@code WS_ALLOWED_ORIGINS}),
 *                           lowercased {@code scheme://host[:port]}, or {@link #ANY_ORIGIN} alone for any
 * @param maxTopics          the most topics the broker holds ({@code MAX_TOPICS}); dead-letter topics count,
 *                           and are always created
 * @param maxGroupsPerTopic  the most consumer groups one topic may have ({@code MAX_GROUPS_PER_TOPIC})
 * @param wsMaxSubscriptions the most subscriptions one WebSocket connection may hold ({@code WS_MAX_SUBSCRIPTIONS})
 * @param maxConnections     the most TCP connections the port serves at once ({@code MAX_CONNECTIONS}); more wait
 *                           to be accepted
 * @param auth               authentication: the credentials accepted and whether {@code /metrics} is public (docs/security.md)
 * @param tls                the keystore of HTTPS and WSS on {@code PORT}, if any (docs/security.md)
 * @param publishing         the bounds of delayed, expiring and idempotent publishes (docs/scheduled-and-idempotent.md)
 */
public record BrokerConfig(int port, boolean persistenceEnabled, Duration retention, int maxMessageSize,
                           int maxQueueSize, Path dataDir, int maxBatchSize, Duration ackTimeout,
                           int maxDeliveries, OverflowPolicy overflowPolicy, FsyncPolicy fsync,
                           Optional<String> store, Set<String> transports, int storeCacheMb,
                           int wsMaxUnanswered, int wsRateLimit, int maxRequestSize, Set<String> wsAllowedOrigins,
                           int maxTopics, int maxGroupsPerTopic, int wsMaxSubscriptions,
                           int maxConnections, AuthSettings auth, TlsSettings tls,
                           PublishSettings publishing) {

    /** OverflowPolicy says what a publish does when its topic holds {@code MAX_QUEUE_SIZE} messages. */
    public enum OverflowPolicy {
        /** REJECT evicts the oldest message only if every group finished it, else refuses with 429. */
        REJECT,
        /** DROP_OLDEST evicts the oldest message anyway and counts it as dropped. */
        DROP_OLDEST
    }

    /** FsyncPolicy says when the store forces written data to the disk. */
    public enum FsyncPolicy {
        /** ALWAYS forces each group commit before answering. */
        ALWAYS,
        /** INTERVAL forces once a second. */
        INTERVAL,
        /** NEVER leaves it to the operating system. */
        NEVER
    }

    /**
     * Creates a configuration.
     *
     * @throws IllegalArgumentException naming the setting and what it accepts, if a value is out of range
     */
    public BrokerConfig {
        require(port >= 0 && port <= 65535, "PORT must be a TCP port from 0 to 65535");
        require(retention != null && !retention.isNegative() && !retention.isZero(),
                "RETENTION_HOURS must be a positive whole number of hours");
        require(maxMessageSize >= 1, "MAX_MESSAGE_SIZE must be a positive number of bytes");
        require(maxQueueSize >= 1, "MAX_QUEUE_SIZE must be a positive number of messages");
        Objects.requireNonNull(dataDir, "DATA_DIR");
        require(maxBatchSize >= 1, "MAX_BATCH_SIZE must be a positive number of messages");
        require(ackTimeout != null && ackTimeout.toMillis() >= 1, "ACK_TIMEOUT must be a positive duration");
        require(maxDeliveries >= 1, "MAX_DELIVERIES must be a positive number");
        Objects.requireNonNull(overflowPolicy, "OVERFLOW_POLICY");
        Objects.requireNonNull(fsync, "FSYNC");
        Objects.requireNonNull(store, "STORE");
        transports = Set.copyOf(transports);
        require(storeCacheMb >= 1 && storeCacheMb <= 65536, "STORE_CACHE_MB must be a number of MB from 1 to 65536");
        require(wsMaxUnanswered >= 1 && wsMaxUnanswered <= 1_000_000, "WS_MAX_UNANSWERED must be a number from 1 to 1000000");
        require(wsRateLimit >= 0, "WS_RATE_LIMIT must be 0 (no limit) or a number of frames a second");
        wsAllowedOrigins = Set.copyOf(wsAllowedOrigins);
        require(!wsAllowedOrigins.isEmpty(), "WS_ALLOWED_ORIGINS must name at least one origin, or be *");
        require(maxTopics >= 1, "MAX_TOPICS must be a positive number of topics");
        require(maxGroupsPerTopic >= 1, "MAX_GROUPS_PER_TOPIC must be a positive number of groups");
        require(wsMaxSubscriptions >= 1, "WS_MAX_SUBSCRIPTIONS must be a positive number of subscriptions");
        require(maxConnections >= 1, "MAX_CONNECTIONS must be a positive number of connections");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(publishing, "publishing");
        require(publishing.maxDelay().compareTo(retention) < 0, "MAX_DELAY (" + Durations.format(publishing.maxDelay())
                + ") must be shorter than RETENTION_HOURS (" + retention.toHours() + "h): a delayed message is dropped by retention like any other");
        require(maxRequestSize >= maxMessageSize, "MAX_REQUEST_SIZE (" + maxRequestSize
                + " bytes) must be at least MAX_MESSAGE_SIZE (" + maxMessageSize + " bytes): a single publish is one message");
    }

    /** DEFAULT_WS_MAX_UNANSWERED is {@code WS_MAX_UNANSWERED}'s default. */
    public static final int DEFAULT_WS_MAX_UNANSWERED = 1024;
    /** ANY_ORIGIN as the only allowed origin lets a page from any origin open {@code /ws}. */
    public static final String ANY_ORIGIN = "*";
    /** DEFAULT_MAX_TOPICS is {@code MAX_TOPICS}'s default. */
    public static final int DEFAULT_MAX_TOPICS = 10_000;
    /** DEFAULT_MAX_GROUPS_PER_TOPIC is {@code MAX_GROUPS_PER_TOPIC}'s default. */
    public static final int DEFAULT_MAX_GROUPS_PER_TOPIC = 100;
    /** DEFAULT_WS_MAX_SUBSCRIPTIONS is {@code WS_MAX_SUBSCRIPTIONS}'s default. */
    public static final int DEFAULT_WS_MAX_SUBSCRIPTIONS = 1000;
    /** DEFAULT_MAX_CONNECTIONS is {@code MAX_CONNECTIONS}'s default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 50_000;
    /** DEFAULT_MAX_REQUEST_SIZE is {@code MAX_REQUEST_SIZE}'s default: 16 MiB. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 16 << 20;

    /** A configuration with the WebSocket settings and {@code MAX_REQUEST_SIZE} at their defaults. */
    public BrokerConfig(int port, boolean persistenceEnabled, Duration retention, int maxMessageSize,
                        int maxQueueSize, Path dataDir, int maxBatchSize, Duration ackTimeout,
                        int maxDeliveries, OverflowPolicy overflowPolicy, FsyncPolicy fsync,
                        Optional<String> store, Set<String> transports, int storeCacheMb) {
        this(port, persistenceEnabled, retention, maxMessageSize, maxQueueSize, dataDir, maxBatchSize, ackTimeout,
                maxDeliveries, overflowPolicy, fsync, store, transports, storeCacheMb, DEFAULT_WS_MAX_UNANSWERED, 0,
                Math.max(DEFAULT_MAX_REQUEST_SIZE, maxMessageSize), Set.of(ANY_ORIGIN),
                DEFAULT_MAX_TOPICS, DEFAULT_MAX_GROUPS_PER_TOPIC, DEFAULT_WS_MAX_SUBSCRIPTIONS, DEFAULT_MAX_CONNECTIONS,
                AuthSettings.NONE, TlsSettings.NONE, PublishSettings.DEFAULTS);
    }

    /** defaults is the configuration when nothing is set. */
    public static BrokerConfig defaults() {
        return new BrokerConfig(8080, true, Duration.ofHours(24), 1_048_576, 10_000, Path.of("./data"), 1000,
                Duration.ofSeconds(30), 5, OverflowPolicy.REJECT, FsyncPolicy.INTERVAL, Optional.empty(), Set.of(), 4);
    }

    /** withPort returns a copy on another port. */
    public BrokerConfig withPort(int newPort) {
        return new BrokerConfig(newPort, persistenceEnabled, retention, maxMessageSize, maxQueueSize, dataDir,
                maxBatchSize, ackTimeout, maxDeliveries, overflowPolicy, fsync, store, transports, storeCacheMb,
                wsMaxUnanswered, wsRateLimit, maxRequestSize, wsAllowedOrigins, maxTopics, maxGroupsPerTopic,
                wsMaxSubscriptions, maxConnections, auth, tls, publishing);
    }

    /** withPublishing returns a copy with these bounds of delayed and idempotent publishes. */
    public BrokerConfig withPublishing(PublishSettings newPublishing) {
        return new BrokerConfig(port, persistenceEnabled, retention, maxMessageSize, maxQueueSize, dataDir,
                maxBatchSize, ackTimeout, maxDeliveries, overflowPolicy, fsync, store, transports, storeCacheMb,
                wsMaxUnanswered, wsRateLimit, maxRequestSize, wsAllowedOrigins, maxTopics, maxGroupsPerTopic,
                wsMaxSubscriptions, maxConnections, auth, tls, newPublishing);
    }

    /** withAuth returns a copy with these authentication settings. */
    public BrokerConfig withAuth(AuthSettings newAuth) {
        return new BrokerConfig(port, persistenceEnabled, retention, maxMessageSize, maxQueueSize, dataDir,
                maxBatchSize, ackTimeout, maxDeliveries, overflowPolicy, fsync, store, transports, storeCacheMb,
                wsMaxUnanswered, wsRateLimit, maxRequestSize, wsAllowedOrigins, maxTopics, maxGroupsPerTopic,
                wsMaxSubscriptions, maxConnections, newAuth, tls, publishing);
    }

    /**
     * allowsOrigin tells whether a WebSocket upgrade with this {@code Origin} header may go on: a
     * request without one (not from a browser) always may.
     */
    public boolean allowsOrigin(String origin) {
        return origin == null || wsAllowedOrigins.contains(ANY_ORIGIN)
                || wsAllowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
