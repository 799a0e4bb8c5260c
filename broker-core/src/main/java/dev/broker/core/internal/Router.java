package dev.broker.core.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.HealthReport;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.MessageListener;
import dev.broker.api.NewMessage;
import dev.broker.api.PublishOptions;
import dev.broker.api.Published;
import dev.broker.api.Durations;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.Subscription;
import dev.broker.api.TopicAdmin;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoreState;
import dev.broker.spi.StoredGroup;
import dev.broker.spi.StoredTopic;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Router is the broker's core: the registry of topics and subscriptions, and the
 * {@link MessageBroker} and {@link TopicAdmin} the transports call. Thread-safe: topics are in a
 * concurrent map; creating or deleting a topic and registering a subscription take
 * {@link #registry}, so each new topic sees every subscription whose pattern matches it and each
 * new subscription every existing topic. Per-topic state is guarded as {@link TopicLog} says.
 */
@Singleton
public final class Router implements MessageBroker, TopicAdmin {
    private final BrokerConfig config;
    private final MessageStore store;
    private final Clock clock;
    private final Observers observers;
    /** services is what every topic gets of the broker (docs/architecture.md). */
    private final TopicServices services;
    private final Redrive redrives;
    private final String storeName;
    private final boolean storeDurable;
    private final String version;
    private final Instant started;
    private final ScheduledThreadPoolExecutor timer;
    /**
     * delivery runs the topics' pumps: each topic's pump is one task at a time here, so delivery
     * never runs on the thread that stored the message (the store's, or the publisher's).
     */
    private final Executor delivery;

    private final ConcurrentHashMap<TopicName, TopicLog> topics = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<TopicSubscriber> subscriptions = new CopyOnWriteArrayList<>();
    private final ReentrantLock registry = new ReentrantLock();
    private volatile boolean closed;
    /**
     * shared is the store when it is a shared one (docs/jetstream.md): it then owns every topic, and
     * this class only checks requests and hands them on; null with a local store.
     */
    private final dev.broker.spi.SharedStore shared;

    @Inject
    Router(BrokerConfig config, MessageStore store, Clock clock, Plugins plugins, Observers observers) {
        this(config, store, clock, plugins, observers, deliveryThreads());
    }

    /** deliveryThreads is the delivery pool: one thread per core, at least two. */
    private static ThreadPoolExecutor deliveryThreads() {
        AtomicInteger count = new AtomicInteger();
        int threads = Math.max(2, java.lang.Runtime.getRuntime().availableProcessors());
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "broker-delivery-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private Router(BrokerConfig config, MessageStore store, Clock clock, Plugins plugins, Observers observers,
                   Executor delivery) {
        this.delivery = delivery;
        this.observers = observers;
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.storeName = plugins.store().name();
        this.storeDurable = plugins.store().durable();
        this.version = Version.CURRENT;
        this.started = clock.instant();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "broker-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        // Lease ids start at a random point, so receipts from before a restart are stale after it.
        AtomicLong leaseIds = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 52));
        this.services = new TopicServices(config, store, clock::millis, new Uuid7(), leaseIds, observers, this::schedule,
                this::deliverLater, new DeadLetters(this::append));
        this.redrives = new Redrive(topics::get, this::append, config.maxBatchSize());
        this.shared = store.shared().orElse(null);
        if (shared != null) {
            shared.start(new SharedCore(config));
        }
        StoreState state = store.recover();
        for (StoredTopic t : state.topics()) {
            topics.put(t.name(), new TopicLog(t.name(), t.firstOffset(), t.nextOffset(), services));
        }
        for (StoredGroup g : state.groups()) {
            topics.computeIfAbsent(g.topic(), n -> new TopicLog(n, 0, 0, services)).restore(g);
        }
        for (TopicLog t : topics.values()) {
            t.recoverRecent();
        }
    }

    // ---- MessageBroker ------------------------------------------------------------------------

    @Override
    public CompletionStage<List<Message>> publish(TopicName topic, List<NewMessage> batch) {
        long received = System.nanoTime();
        try {
            check(topic, batch, PublishOptions.NONE);
            return append(topic, batch).whenComplete((stored, failure) -> observe(topic, stored, failure, received));
        } catch (BrokerException e) {
            observers.rejected(topic, e.code());
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Published> publish(TopicName topic, List<NewMessage> batch, PublishOptions options) {
        if (options.isNone()) {
            return publish(topic, batch).thenApply(messages -> new Published(messages, false));
        }
        long received = System.nanoTime();
        try {
            check(topic, batch, options);
            if (shared != null) {
                throw new BrokerException(ErrorCode.NOT_IMPLEMENTED, "delay, ttl and idempotency keys (a WebSocket publish's"
                        + " messageId) are not offered on the '" + storeName + "' store yet (docs/jetstream.md)");
            }
            CompletionStage<Published> published;
            while (true) {
                try {
                    published = topic(topic).publish(batch, options);
                    break;
                } catch (TopicLog.Deleted raced) {
                    // The topic was deleted between the lookup and the append: publish to the new one.
                }
            }
            return published.whenComplete((p, failure) -> {
                if (failure != null || !p.replayed()) {
                    observe(topic, p == null ? null : p.messages(), failure, received);
                }
            });
        } catch (BrokerException e) {
            observers.rejected(topic, e.code());
            return CompletableFuture.failedFuture(e);
        }
    }

    /** observe reports a completed publish: stored, or refused and why. */
    private void observe(TopicName topic, List<Message> stored, Throwable failure, long received) {
        if (failure == null) {
            // The topic's own name: its hash is cached, which the metrics' look-ups by name need.
            observers.published(stored.get(0).topic(), stored.size(), System.nanoTime() - received);
        } else if (failure.getCause() instanceof BrokerException b) {
            observers.rejected(topic, b.code());
        } else if (failure instanceof BrokerException b) {
            observers.rejected(topic, b.code());
        }
    }

    private CompletionStage<List<Message>> append(TopicName topic, List<NewMessage> batch) {
        if (shared != null) {
            return shared.publish(topic, batch);
        }
        while (true) {
            try {
                return topic(topic).append(batch);
            } catch (TopicLog.Deleted raced) {
                // The topic was deleted between the lookup and the append: publish to the new one.
            }
        }
    }

    @Override
    public CompletionStage<List<Delivery>> consume(ConsumeRequest request) {
        if (shared != null) {
            return shared.consume(request);
        }
        TopicLog log = topics.get(request.topic());
        if (log == null) {
            if (request.maxWait().isZero()) {
                return CompletableFuture.completedFuture(List.of());
            }
            log = topic(request.topic()); // a long poll waits for the topic's first message
        }
        return log.consume(request);
    }

    /**
     * Router without observers, for tests: it delivers on the thread that asks for delivery, so a
     * test sees what a publish or an ack hands out as soon as the call returns.
     */
    Router(BrokerConfig config, MessageStore store, Clock clock, Plugins plugins) {
        this(config, store, clock, plugins, new Observers(), Runnable::run);
    }

    /** consume with automatic acknowledgement and no wait, for in-process callers and tests. */
    List<Delivery> consume(TopicName topic, GroupName group, int limit) {
        return consume(new ConsumeRequest(topic, group, limit, dev.broker.api.AckMode.AUTO, Duration.ZERO))
                .toCompletableFuture().join();
    }

    @Override
    public CompletionStage<SettleResult> ack(TopicName topic, GroupName group, List<String> receipts) {
        return settle(TopicLog.Settle.ACK, topic, group, receipts, Optional.empty(), Duration.ZERO);
    }

    @Override
    public CompletionStage<SettleResult> nack(TopicName topic, GroupName group, List<String> receipts,
                                              Optional<String> reason, Duration delay) {
        if (delay.isNegative() || delay.compareTo(Duration.ofHours(12)) > 0) {
            return CompletableFuture.failedFuture(new BrokerException(ErrorCode.INVALID_PARAMETER,
                    "delay must be from 0 to 12h"));
        }
        return settle(TopicLog.Settle.NACK, topic, group, receipts, reason, delay);
    }

    @Override
    public CompletionStage<SettleResult> extend(TopicName topic, GroupName group, List<String> receipts) {
        return settle(TopicLog.Settle.EXTEND, topic, group, receipts, Optional.empty(), Duration.ZERO);
    }

    private CompletionStage<SettleResult> settle(TopicLog.Settle op, TopicName topic, GroupName group, List<String> receipts,
                                                 Optional<String> reason, Duration delay) {
        if (shared != null) {
            return switch (op) {
                case ACK -> shared.ack(topic, group, receipts);
                case NACK -> shared.nack(topic, group, receipts, reason, delay);
                case EXTEND -> shared.extend(topic, group, receipts);
            };
        }
        TopicLog log = topics.get(topic);
        if (log == null) {
            return CompletableFuture.completedFuture(new SettleResult(0, receipts));
        }
        return log.settle(op, group, receipts, reason, delay);
    }

    @Override
    public Subscription subscribe(SubscribeRequest request, MessageListener listener) {
        if (shared != null) {
            throw new BrokerException(ErrorCode.NOT_IMPLEMENTED, "push subscriptions are not offered on the '"
                    + storeName + "' store yet: consume with GET /consume (docs/jetstream.md)");
        }
        TopicSubscriber s;
        if (request.group().isEmpty()) {
            s = new BroadcastSubscription(request.pattern(), request.from().orElse(StartFrom.LATEST), listener,
                    this::unregister);
        } else {
            AtomicReference<Subscription> self = new AtomicReference<>();
            GroupMember member = new GroupMember(request.group().get(), request.ack(), request.maxInFlight(), listener,
                    () -> self.get().close());
            s = new GroupSubscription(request.pattern(), request.from(), member, this::unregister);
            self.set(s);
        }
        Optional<TopicName> exact = request.pattern().exactTopic();
        registry.lock();
        try {
            // Limits first, so that a refused subscription leaves nothing behind.
            TopicLog exactLog = exact.isPresent() ? topicLocked(exact.get()) : null;
            if (exactLog != null && request.group().isPresent()) {
                exactLog.requireGroupRoom(request.group().get());
            }
            subscriptions.add(s);
            if (exactLog != null) {
                s.attach(exactLog);
            } else {
                for (TopicLog log : topics.values()) {
                    if (request.pattern().matches(log.name)) {
                        s.attach(log);
                    }
                }
            }
        } finally {
            registry.unlock();
        }
        return s;
    }

    private void unregister(TopicSubscriber s) {
        subscriptions.remove(s);
    }

    // ---- TopicAdmin ---------------------------------------------------------------------------

    @Override
    public GroupCreation createGroup(TopicName topic, GroupName group, GroupSettings settings) {
        if (closed) {
            throw new BrokerException(ErrorCode.SHUTTING_DOWN, "the broker is shutting down");
        }
        if (shared != null) {
            return shared.createGroup(topic, group, settings);
        }
        return topic(topic).createGroup(group, settings);
    }

    @Override
    public List<TopicInfo> topics() {
        if (shared != null) {
            return shared.topics();
        }
        return topics.values().stream().map(TopicLog::info)
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    @Override
    public Optional<TopicStats> stats(TopicName topic) {
        if (shared != null) {
            return shared.stats(topic);
        }
        return Optional.ofNullable(topics.get(topic)).map(TopicLog::stats);
    }

    @Override
    public List<Message> browse(TopicName topic, long fromOffset, int limit) {
        if (limit < 1 || limit > ConsumeRequest.MAX_LIMIT) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "limit must be from 1 to " + ConsumeRequest.MAX_LIMIT);
        }
        if (shared != null) {
            return shared.browse(topic, fromOffset, limit);
        }
        return existing(topic).browse(fromOffset, limit);
    }

    @Override
    public CompletionStage<Integer> redrive(TopicName topic, GroupName group) {
        if (shared != null) {
            return CompletableFuture.failedFuture(new BrokerException(ErrorCode.NOT_IMPLEMENTED,
                    "redrive is not offered on the '" + storeName + "' store yet (docs/jetstream.md)"));
        }
        TopicLog log;
        try {
            log = existing(topic);
            if (!log.hasGroup(group)) {
                throw new BrokerException(ErrorCode.GROUP_NOT_FOUND, "topic " + topic + " has no group " + group);
            }
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
        return redrives.start(log, group);
    }

    @Override
    public boolean delete(TopicName topic) {
        if (shared != null) {
            return shared.deleteTopic(topic);
        }
        TopicLog log;
        registry.lock();
        try {
            log = topics.remove(topic);
        } finally {
            registry.unlock();
        }
        if (log == null) {
            return false;
        }
        log.delete();
        return true;
    }

    @Override
    public HealthReport health() {
        Optional<String> problem = closed ? Optional.of("the broker is shutting down") : store.problem();
        return new HealthReport(problem.isEmpty(), storeName, storeDurable, problem,
                Duration.between(started, clock.instant()), version);
    }

    // ---- housekeeping -------------------------------------------------------------------------

    /** expireAll drops messages older than the retention period from every topic. */
    void expireAll() {
        Instant cutoff = clock.instant().minus(config.retention());
        for (TopicLog log : topics.values()) {
            log.expire(cutoff);
        }
    }

    /** tick runs every topic's due timers now (leases, long polls, delayed retries). */
    void tick() {
        for (TopicLog log : topics.values()) {
            log.tick();
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        if (timer.isShutdown()) {
            return null;
        }
        return timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * deliverLater runs a topic's pump on a delivery thread; false once the broker is closed, when
     * nothing is delivered any more.
     */
    boolean deliverLater(Runnable pump) {
        try {
            delivery.execute(pump);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            return false;
        }
    }

    /** close refuses further publishes and stops the timers; deliveries already queued still run. */
    void close() {
        closed = true;
        timer.shutdownNow();
        if (delivery instanceof ExecutorService pool) {
            pool.shutdown();
        }
    }

    private void check(TopicName topic, List<NewMessage> batch, PublishOptions options) {
        if (closed) {
            throw new BrokerException(ErrorCode.SHUTTING_DOWN, "the broker is shutting down");
        }
        if (topic.isDeadLetter()) {
            throw new BrokerException(ErrorCode.RESERVED_TOPIC,
                    "topics beginning with 'dlq.' hold dead letters and are written only by the broker");
        }
        Duration maxDelay = config.publishing().maxDelay();
        if (options.delay().isPresent() && options.delay().get().compareTo(maxDelay) > 0) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "delay " + Durations.format(options.delay().get())
                    + " is longer than MAX_DELAY (" + Durations.format(maxDelay) + ")");
        }
        if (batch.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the batch is empty: send at least one message");
        }
        if (batch.size() > config.maxBatchSize()) {
            throw new BrokerException(ErrorCode.BATCH_TOO_LARGE, "the batch has " + batch.size()
                    + " messages; at most " + config.maxBatchSize() + " are allowed (MAX_BATCH_SIZE)");
        }
        for (int i = 0; i < batch.size(); i++) {
            for (String header : batch.get(i).headers().keySet()) {
                if (DeadLetters.BROKER_HEADERS.contains(header)) {
                    throw new BrokerException(ErrorCode.INVALID_HEADER, (batch.size() > 1 ? "item " + i + ": " : "")
                            + "the header '" + header + "' is written by the broker alone, on dead letters and redriven messages");
                }
                if (Scheduled.HEADERS.contains(header)) {
                    throw new BrokerException(ErrorCode.INVALID_HEADER, (batch.size() > 1 ? "item " + i + ": " : "")
                            + "the header '" + header + "' is written by the broker alone: ask for it with the publish's "
                            + "delay, ttl or idempotency key (docs/scheduled-and-idempotent.md)");
                }
            }
            String data = batch.get(i).data();
            // A UTF-8 byte is at most one char, and a char at most three bytes: only long data needs counting.
            if (data.length() > config.maxMessageSize() / 3) {
                int bytes = Utf8.length(data);
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

    private TopicLog existing(TopicName topic) {
        TopicLog log = topics.get(topic);
        if (log == null) {
            throw new BrokerException(ErrorCode.TOPIC_NOT_FOUND, "there is no topic " + topic);
        }
        return log;
    }

    private TopicLog topic(TopicName name) {
        TopicLog log = topics.get(name);
        if (log != null) {
            return log;
        }
        registry.lock();
        try {
            return topicLocked(name);
        } finally {
            registry.unlock();
        }
    }

    private TopicLog topicLocked(TopicName name) {
        TopicLog log = topics.get(name);
        if (log == null) {
            // Dead-letter topics are made whatever the count: at most one a topic (docs/limits.md).
            if (!name.isDeadLetter() && topics.size() >= config.maxTopics()) {
                throw new BrokerException(ErrorCode.LIMIT_EXCEEDED, "the broker holds " + topics.size()
                        + " topics, the most MAX_TOPICS allows; delete one, or raise MAX_TOPICS, before making '" + name + "'");
            }
            log = new TopicLog(name, 0, 0, services);
            topics.put(name, log);
            for (TopicSubscriber s : subscriptions) {
                if (s.pattern().matches(name)) {
                    s.attach(log);
                }
            }
        }
        return log;
    }
}
