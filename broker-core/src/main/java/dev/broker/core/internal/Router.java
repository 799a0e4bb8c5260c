package dev.broker.core.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.HealthReport;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.MessageListener;
import dev.broker.api.NewMessage;
import dev.broker.api.Subscription;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoredTopic;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Router is the broker's core: the registry of topics, and the {@link MessageBroker} the transports
 * call. Thread-safe: topics are in a concurrent map; creating a topic and registering a wildcard
 * subscription take {@link #registry} so that each new topic sees every wildcard subscription and
 * each new subscription every topic. Per-topic state is guarded as {@link TopicLog} says.
 */
@Singleton
public final class Router implements MessageBroker {
    private final BrokerConfig config;
    private final MessageStore store;
    private final Clock clock;
    private final String storeName;
    private final boolean storeDurable;
    private final String version;
    private final Instant started;
    private final Uuid7 ids = new Uuid7();

    private final ConcurrentHashMap<TopicName, TopicLog> topics = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<BroadcastSubscription> wildcardSubscriptions = new CopyOnWriteArrayList<>();
    private final ReentrantLock registry = new ReentrantLock();
    private volatile boolean closed;

    @Inject
    Router(BrokerConfig config, MessageStore store, Clock clock, Plugins plugins) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.storeName = plugins.store().name();
        this.storeDurable = plugins.store().durable();
        this.version = Version.CURRENT;
        this.started = clock.instant();
        for (StoredTopic t : store.recover()) {
            topics.put(t.name(), newTopic(t.name(), t.firstOffset(), t.nextOffset()));
        }
    }

    @Override
    public CompletionStage<List<Message>> publish(TopicName topic, List<NewMessage> batch) {
        try {
            check(topic, batch);
            return topic(topic).append(batch);
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public List<Delivery> consume(TopicName topic, GroupName group, int limit) {
        if (limit < 1) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "limit must be at least 1, not " + limit);
        }
        TopicLog log = topics.get(topic);
        return log == null ? List.of() : log.consume(group, limit);
    }

    @Override
    public Subscription subscribe(TopicPattern pattern, MessageListener listener) {
        Optional<TopicName> exact = pattern.exactTopic();
        if (exact.isPresent()) {
            TopicLog log = topic(exact.get());
            BroadcastSubscription s = new BroadcastSubscription(pattern, listener, log::detach);
            log.attach(s);
            return s;
        }
        BroadcastSubscription s = new BroadcastSubscription(pattern, listener, this::unsubscribeWildcard);
        registry.lock();
        try {
            wildcardSubscriptions.add(s);
            for (TopicLog log : topics.values()) {
                if (pattern.matches(log.name)) {
                    log.attach(s);
                }
            }
        } finally {
            registry.unlock();
        }
        return s;
    }

    @Override
    public List<TopicInfo> topics() {
        return topics.values().stream().map(TopicLog::info)
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    @Override
    public HealthReport health() {
        Optional<String> problem = closed ? Optional.of("the broker is shutting down") : store.problem();
        return new HealthReport(problem.isEmpty(), storeName, storeDurable, problem,
                Duration.between(started, clock.instant()), version);
    }

    /** expireAll drops messages older than the retention period from every topic. */
    void expireAll() {
        Instant cutoff = clock.instant().minus(config.retention());
        for (TopicLog log : topics.values()) {
            log.expire(cutoff);
        }
    }

    /** close refuses further publishes. */
    void close() {
        closed = true;
    }

    private void check(TopicName topic, List<NewMessage> batch) {
        if (closed) {
            throw new BrokerException(ErrorCode.SHUTTING_DOWN, "the broker is shutting down");
        }
        if (topic.isDeadLetter()) {
            throw new BrokerException(ErrorCode.RESERVED_TOPIC,
                    "topics beginning with 'dlq.' hold dead letters and are written only by the broker");
        }
        if (batch.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the batch is empty: send at least one message");
        }
        if (batch.size() > config.maxBatchSize()) {
            throw new BrokerException(ErrorCode.BATCH_TOO_LARGE, "the batch has " + batch.size()
                    + " messages; at most " + config.maxBatchSize() + " are allowed (MAX_BATCH_SIZE)");
        }
        for (int i = 0; i < batch.size(); i++) {
            String data = batch.get(i).data();
            // A UTF-8 byte is at most one char, so only long data needs counting.
            if (data.length() > config.maxMessageSize() / 3) {
                int bytes = data.getBytes(StandardCharsets.UTF_8).length;
                if (bytes > config.maxMessageSize()) {
                    throw new BrokerException(ErrorCode.MESSAGE_TOO_LARGE, (batch.size() > 1 ? "item " + i + ": " : "")
                            + "message data is " + bytes + " bytes; at most " + config.maxMessageSize()
                            + " are allowed (MAX_MESSAGE_SIZE)");
                }
            }
        }
        Optional<String> problem = store.problem();
        if (problem.isPresent()) {
            throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store cannot write: " + problem.get());
        }
    }

    private TopicLog topic(TopicName name) {
        TopicLog log = topics.get(name);
        if (log != null) {
            return log;
        }
        registry.lock();
        try {
            return topics.computeIfAbsent(name, n -> newTopic(n, 0, 0));
        } finally {
            registry.unlock();
        }
    }

    private TopicLog newTopic(TopicName name, long first, long next) {
        TopicLog log = new TopicLog(name, first, next, store, config, clock, ids);
        for (BroadcastSubscription s : wildcardSubscriptions) {
            if (s.pattern().matches(name)) {
                log.attach(s);
            }
        }
        return log;
    }

    private void unsubscribeWildcard(BroadcastSubscription s) {
        registry.lock();
        try {
            wildcardSubscriptions.remove(s);
            for (TopicLog log : topics.values()) {
                log.detach(s);
            }
        } finally {
            registry.unlock();
        }
    }
}
