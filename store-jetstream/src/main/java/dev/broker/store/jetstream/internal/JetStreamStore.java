package dev.broker.store.jetstream.internal;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.MessageStore;
import dev.broker.spi.SharedStore;
import dev.broker.spi.StoreState;
import dev.broker.spi.StoredGroup;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JetStreamStore is the shared store on a NATS JetStream cluster (docs/jetstream.md): a topic is a
 * stream, a group a durable pull consumer, a receipt the JetStream acknowledgement subject of a
 * delivery (signed, {@link Receipts}). JetStream owns offsets, retention, leases and settling, so any
 * number of broker nodes may use the same cluster at once. Thread-safe: it keeps only caches of
 * what exists in the cluster; consumes, which wait for the cluster, run on a bounded pool.
 */
final class JetStreamStore implements MessageStore, SharedStore {
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamStore.class);
    /** KV_BUCKET holds what every node must agree on (docs/jetstream.md). */
    static final String KV_BUCKET = "broker";
    private static final String RECEIPT_KEY = "receipt-key";
    /** POLLS is the most consumes one node waits on at once; more are refused. */
    private static final int POLLS = 256;
    /** MAX_ACK_PENDING is the most leased messages one group holds across the cluster. */
    private static final long MAX_ACK_PENDING = 100_000;
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(15);

    private final BrokerConfig config;
    private final JetStreamSettings settings;
    private final Connection connection;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final Receipts receipts;
    private final ThreadPoolExecutor polls;
    /** streams this node knows to exist; a miss asks the cluster. */
    private final ConcurrentHashMap<TopicName, Boolean> streams = new ConcurrentHashMap<>();
    /** groups this node knows, with their settings. */
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    private volatile SharedStore.Core core;

    private record Group(GroupSettings settings, ConsumerContext context) {
    }

    private JetStreamStore(BrokerConfig config, JetStreamSettings settings, Connection connection) throws Exception {
        this.config = config;
        this.settings = settings;
        this.connection = connection;
        io.nats.client.JetStreamOptions options = io.nats.client.JetStreamOptions.builder()
                .requestTimeout(Duration.ofSeconds(10)).build();
        this.js = connection.jetStream(options);
        this.jsm = connection.jetStreamManagement(options);
        this.receipts = new Receipts(receiptKey());
        AtomicInteger count = new AtomicInteger();
        this.polls = new ThreadPoolExecutor(0, POLLS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "broker-jetstream-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    static JetStreamStore open(BrokerConfig config, JetStreamSettings s) throws Exception {
        Options.Builder b = Options.builder().servers(s.servers().toArray(String[]::new)).connectionName("broker")
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(500)).connectionTimeout(Duration.ofSeconds(5));
        if (s.credentials().isPresent()) {
            b.authHandler(Nats.credentials(s.credentials().get().toString()));
        }
        s.token().ifPresent(t -> b.token(t.toCharArray()));
        if (s.user().isPresent()) {
            b.userInfo(s.user().get(), s.password().orElseThrow());
        }
        s.trustStore().ifPresent(p -> b.truststorePath(p.toString()));
        s.trustStorePassword().ifPresent(p -> b.truststorePassword(p.toCharArray()));
        s.keyStore().ifPresent(p -> b.keystorePath(p.toString()));
        s.keyStorePassword().ifPresent(p -> b.keystorePassword(p.toCharArray()));
        Connection c;
        try {
            c = Nats.connect(b.build());
        } catch (IOException e) {
            throw new IOException("cannot reach NATS at " + String.join(",", s.servers()) + ": " + e.getMessage(), e);
        }
        try {
            JetStreamStore store = new JetStreamStore(config, s, c);
            LOG.info("the jetstream store is connected to {} ({} replicas a stream)", c.getConnectedUrl(), s.replicas());
            return store;
        } catch (Exception e) {
            c.close();
            throw new IOException("JetStream is not usable at " + String.join(",", s.servers()) + ": " + e.getMessage(), e);
        }
    }

    /** receiptKey is the key every node signs receipts with: made by the first node, read by the others. */
    private byte[] receiptKey() throws IOException, JetStreamApiException {
        KeyValueManagement kvm = connection.keyValueManagement();
        try {
            kvm.getStatus(KV_BUCKET);
        } catch (JetStreamApiException missing) {
            try {
                kvm.create(KeyValueConfiguration.builder().name(KV_BUCKET).storageType(StorageType.File)
                        .replicas(settings.replicas()).build());
            } catch (JetStreamApiException raced) {
                kvm.getStatus(KV_BUCKET); // another node made it first
            }
        }
        KeyValue kv = connection.keyValue(KV_BUCKET);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            kv.create(RECEIPT_KEY, key);
            return key;
        } catch (JetStreamApiException exists) {
            KeyValueEntry e = kv.get(RECEIPT_KEY);
            if (e == null || e.getValue() == null || e.getValue().length != 32) {
                throw new IOException("the key '" + RECEIPT_KEY + "' of bucket '" + KV_BUCKET + "' is not a 32-byte key");
            }
            return e.getValue();
        }
    }

    // ---- MessageStore: only what a shared store keeps of it ---------------------------------------

    @Override
    public Optional<SharedStore> shared() {
        return Optional.of(this);
    }

    @Override
    public StoreState recover() {
        return StoreState.EMPTY;
    }

    @Override
    public CompletionStage<Void> append(TopicName topic, List<Message> messages) {
        throw new UnsupportedOperationException("a shared store takes messages through SharedStore.append");
    }

    @Override
    public List<Message> read(TopicName topic, long fromOffset, int limit) {
        throw new UnsupportedOperationException("a shared store is read through SharedStore");
    }

    @Override
    public void truncate(TopicName topic, long firstOffset) {
        throw new UnsupportedOperationException("JetStream owns retention");
    }

    @Override
    public void delete(TopicName topic) {
        throw new UnsupportedOperationException("a shared store deletes through SharedStore.delete");
    }

    @Override
    public CompletionStage<Void> saveGroup(StoredGroup group) {
        throw new UnsupportedOperationException("JetStream owns groups' progress");
    }

    @Override
    public Optional<String> problem() {
        Connection.Status status = connection.getStatus();
        return status == Connection.Status.CONNECTED ? Optional.empty()
                : Optional.of("not connected to NATS (" + status.name().toLowerCase() + ")");
    }

    @Override
    public void close() {
        polls.shutdownNow();
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- SharedStore -----------------------------------------------------------------------------

    @Override
    public void start(SharedStore.Core core) {
        this.core = core;
    }

    @Override
    public CompletionStage<List<Message>> publish(TopicName topic, List<NewMessage> batch) {
        try {
            ensureStream(topic);
            return appendTo(topic, batch, true);
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<List<Message>> appendTo(TopicName topic, List<NewMessage> batch, boolean retry) {
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        long maxPayload = connection.getServerInfo().getMaxPayload();
        List<UUID> ids = new ArrayList<>(batch.size());
        List<byte[]> payloads = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            UUID id = core.newId();
            byte[] p = Codec.encode(id, now, batch.get(i));
            if (p.length > maxPayload) {
                return CompletableFuture.failedFuture(new BrokerException(ErrorCode.MESSAGE_TOO_LARGE,
                        (batch.size() > 1 ? "item " + i + ": " : "") + "the message takes " + p.length
                                + " bytes in NATS, whose servers take at most " + maxPayload + " (max_payload)"));
            }
            ids.add(id);
            payloads.add(p);
        }
        String subject = Names.subject(topic);
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(batch.size());
        for (int i = 0; i < payloads.size(); i++) {
            // The id as JetStream's message id: a publish sent again after a lost answer is stored once.
            PublishOptions options = PublishOptions.builder().expectedStream(Names.stream(topic))
                    .messageId(ids.get(i).toString()).build();
            acks.add(publishRetrying(subject, payloads.get(i), options, System.nanoTime() + RETRY_NANOS));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).handle((done, failure) -> {
            if (failure != null) {
                throw refusal(topic, failure);
            }
            List<Message> stored = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                long seq = acks.get(i).join().getSeqno();
                NewMessage m = batch.get(i);
                stored.add(new Message(ids.get(i), topic, seq - 1, now, m.headers(), m.data()));
            }
            return (List<Message>) stored;
        }).exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (retry && cause instanceof BrokerException b && b.code() == ErrorCode.TOPIC_NOT_FOUND) {
                // Deleted through another node since this one made it: make it again, once.
                streams.remove(topic);
                try {
                    ensureStream(topic);
                } catch (BrokerException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return appendTo(topic, batch, false);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** RETRY_NANOS is how long a publish is sent again while no server of the stream answers (a leader election). */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * publishRetrying publishes, and publishes again every 250 ms until {@code deadline} while the
     * stream has no leader to answer (just made, or its server lost); the message id makes the
     * repeats harmless.
     */
    private CompletableFuture<PublishAck> publishRetrying(String subject, byte[] payload, PublishOptions options,
                                                          long deadline) {
        return js.publishAsync(subject, payload, options).exceptionallyCompose(failure -> {
            if (System.nanoTime() < deadline && retryable(failure)) {
                return CompletableFuture.supplyAsync(() -> null,
                                CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS))
                        .thenCompose(x -> publishRetrying(subject, payload, options, deadline));
            }
            return CompletableFuture.failedFuture(failure);
        });
    }

    private static boolean retryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase();
            if (t instanceof java.util.concurrent.TimeoutException || m.contains("no responders") || m.contains("timed out")
                    || m.contains("timeout")) {
                return true;
            }
        }
        return false;
    }

    /** refusal is the broker's error for a failed publish: a full topic, a topic gone, or the store. */
    private static BrokerException refusal(TopicName topic, Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof JetStreamApiException api) {
            String d = String.valueOf(api.getErrorDescription()).toLowerCase();
            if (d.contains("maximum messages") || d.contains("maximum bytes")) {
                return new BrokerException(ErrorCode.TOPIC_FULL, "topic " + topic + " is full (MAX_QUEUE_SIZE)");
            }
            if (d.contains("expected stream") || d.contains("stream not found")) {
                return new BrokerException(ErrorCode.TOPIC_NOT_FOUND, "there is no topic " + topic);
            }
            return new BrokerException(ErrorCode.STORE_UNAVAILABLE, "JetStream refused the publish: " + api.getMessage());
        }
        String m = String.valueOf(t.getMessage());
        if (m.contains("503") || m.toLowerCase().contains("no responders")) {
            return new BrokerException(ErrorCode.TOPIC_NOT_FOUND, "there is no topic " + topic);
        }
        return new BrokerException(ErrorCode.STORE_UNAVAILABLE, "the store cannot write: " + m);
    }

    /** ensureStream makes the topic's stream if the cluster does not have it yet. */
    private void ensureStream(TopicName topic) {
        if (streams.containsKey(topic)) {
            return;
        }
        String name = Names.stream(topic);
        try {
            try {
                jsm.getStreamInfo(name);
            } catch (JetStreamApiException missing) {
                if (!topic.isDeadLetter() && jsm.getStreamNames().size() >= config.maxTopics()) {
                    throw new BrokerException(ErrorCode.LIMIT_EXCEEDED, "the cluster holds the most topics MAX_TOPICS"
                            + " allows; delete one, or raise MAX_TOPICS, before making '" + topic + "'");
                }
                try {
                    jsm.addStream(StreamConfiguration.builder().name(name).subjects(Names.subject(topic))
                            .storageType(StorageType.File).replicas(settings.replicas())
                            .maxMessages(config.maxQueueSize()).maxAge(config.retention())
                            .discardPolicy(config.overflowPolicy() == BrokerConfig.OverflowPolicy.REJECT
                                    ? DiscardPolicy.New : DiscardPolicy.Old)
                            .duplicateWindow(Duration.ofMinutes(2)).build());
                } catch (IOException slow) {
                    // The answer was late (a busy cluster placing replicas): the stream may exist by now.
                    jsm.getStreamInfo(name);
                }
            }
            streams.put(topic, Boolean.TRUE);
        } catch (IOException | JetStreamApiException e) {
            throw unavailable(e);
        }
    }

    private static BrokerException unavailable(Exception e) {
        return new BrokerException(ErrorCode.STORE_UNAVAILABLE, "JetStream did not answer: " + e.getMessage());
    }

    private boolean streamExists(TopicName topic) {
        if (streams.containsKey(topic)) {
            return true;
        }
        try {
            jsm.getStreamInfo(Names.stream(topic));
            streams.put(topic, Boolean.TRUE);
            return true;
        } catch (JetStreamApiException missing) {
            return false;
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    // ---- groups ------------------------------------------------------------------------------------

    private static String key(TopicName topic, GroupName group) {
        return topic.value() + " " + group.value();
    }

    /** description is how a group's settings are kept with its consumer, to be read by every node. */
    private static String description(GroupSettings s) {
        return "broker group; startFrom=" + s.startFrom().wire() + "; maxDeliveries=" + s.maxDeliveries();
    }

    private static GroupSettings settingsOf(ConsumerConfiguration c) {
        String d = c.getDescription() == null ? "" : c.getDescription();
        StartFrom from = StartFrom.EARLIEST;
        int max = 5;
        for (String part : d.split(";")) {
            String p = part.trim();
            if (p.startsWith("startFrom=")) {
                from = StartFrom.parse(p.substring("startFrom=".length()));
            } else if (p.startsWith("maxDeliveries=")) {
                max = Integer.parseInt(p.substring("maxDeliveries=".length()));
            }
        }
        return new GroupSettings(from, c.getAckWait(), max);
    }

    private ConsumerConfiguration consumerConfig(GroupName group, GroupSettings s) {
        ConsumerConfiguration.Builder b = ConsumerConfiguration.builder().durable(Names.consumer(group))
                .description(description(s)).ackPolicy(AckPolicy.Explicit).ackWait(s.ackTimeout())
                .maxDeliver(-1).maxAckPending(MAX_ACK_PENDING);
        if (s.startFrom() instanceof StartFrom.Latest) {
            b.deliverPolicy(DeliverPolicy.New);
        } else if (s.startFrom() instanceof StartFrom.AtOffset at) {
            b.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(at.offset() + 1);
        } else {
            b.deliverPolicy(DeliverPolicy.All);
        }
        return b.build();
    }

    /** group finds a group, or makes it with {@code make} if it is given and the group does not exist. */
    private Group group(TopicName topic, GroupName name, Optional<GroupSettings> make) {
        String k = key(topic, name);
        Group g = groups.get(k);
        if (g != null) {
            return g;
        }
        String stream = Names.stream(topic);
        try {
            ConsumerInfo info;
            try {
                info = jsm.getConsumerInfo(stream, Names.consumer(name));
            } catch (JetStreamApiException missing) {
                if (make.isEmpty()) {
                    return null;
                }
                try {
                    if (jsm.getConsumers(stream).size() >= config.maxGroupsPerTopic()) {
                        throw new BrokerException(ErrorCode.LIMIT_EXCEEDED, "topic " + topic + " has the most groups"
                                + " MAX_GROUPS_PER_TOPIC allows; delete the topic's unused groups, or raise it");
                    }
                    info = jsm.addOrUpdateConsumer(stream, consumerConfig(name, make.get()));
                } catch (JetStreamApiException raced) {
                    info = jsm.getConsumerInfo(stream, Names.consumer(name));
                }
            }
            g = new Group(settingsOf(info.getConsumerConfiguration()), js.getConsumerContext(stream, Names.consumer(name)));
            groups.put(k, g);
            return g;
        } catch (IOException | JetStreamApiException e) {
            throw unavailable(e);
        }
    }

    @Override
    public GroupCreation createGroup(TopicName topic, GroupName group, GroupSettings settings) {
        ensureStream(topic);
        String stream = Names.stream(topic);
        try {
            ConsumerInfo existing = jsm.getConsumerInfo(stream, Names.consumer(group));
            GroupSettings s = settingsOf(existing.getConsumerConfiguration());
            if (!s.equals(settings)) {
                throw new BrokerException(ErrorCode.GROUP_CONFLICT, "group " + group + " of topic " + topic
                        + " exists with other settings");
            }
            return new GroupCreation(topic, group, s, false);
        } catch (JetStreamApiException missing) {
            group(topic, group, Optional.of(settings));
            Group made = groups.get(key(topic, group));
            if (!made.settings().equals(settings)) {
                throw new BrokerException(ErrorCode.GROUP_CONFLICT, "group " + group + " of topic " + topic
                        + " exists with other settings");
            }
            return new GroupCreation(topic, group, settings, true);
        } catch (IOException e) {
            throw unavailable(e);
        }
    }

    // ---- consume -----------------------------------------------------------------------------------

    @Override
    public CompletionStage<List<Delivery>> consume(ConsumeRequest request) {
        CompletableFuture<List<Delivery>> answer = new CompletableFuture<>();
        try {
            polls.execute(() -> {
                try {
                    List<Delivery> got = fetch(request);
                    if (!answer.complete(got)) {
                        giveBack(got); // the consumer went away meanwhile
                    }
                } catch (BrokerException e) {
                    answer.completeExceptionally(e);
                } catch (Exception e) {
                    answer.completeExceptionally(new BrokerException(ErrorCode.STORE_UNAVAILABLE,
                            "JetStream did not answer: " + e.getMessage()));
                }
            });
        } catch (RejectedExecutionException busy) {
            answer.completeExceptionally(new BrokerException(ErrorCode.LIMIT_EXCEEDED, "this node waits on " + POLLS
                    + " consumes already; try again, or through another node"));
        }
        return answer;
    }

    private List<Delivery> fetch(ConsumeRequest r) throws Exception {
        if (!streamExists(r.topic())) {
            if (r.maxWait().isZero()) {
                return List.of();
            }
            ensureStream(r.topic()); // a long poll waits for the topic's first message
        }
        Group g = group(r.topic(), r.group(), Optional.of(core.defaults()));
        List<Delivery> out = new ArrayList<>();
        List<String> autoAcks = new ArrayList<>();
        take(r, g, g.context().fetch(FetchConsumeOptions.builder().maxMessages(r.limit()).noWait().build()), out, autoAcks);
        if (out.isEmpty() && !r.maxWait().isZero()) {
            // Wait for one message, then take what else is there: answered as soon as one arrives.
            long wait = Math.max(r.maxWait().toMillis(), FetchConsumeOptions.MIN_EXPIRES_MILLS);
            take(r, g, g.context().fetch(FetchConsumeOptions.builder().maxMessages(1).expiresIn(wait).build()), out, autoAcks);
            if (!out.isEmpty() && r.limit() > 1) {
                ConsumeRequest rest = new ConsumeRequest(r.topic(), r.group(), r.limit() - 1, r.ack(), Duration.ZERO);
                take(rest, g, g.context().fetch(FetchConsumeOptions.builder().maxMessages(r.limit() - 1).noWait()
                        .build()), out, autoAcks);
            }
        }
        if (r.ack() == AckMode.AUTO) {
            // Automatic acknowledgement: answered once JetStream confirmed every ack.
            List<CompletableFuture<io.nats.client.Message>> acks = new ArrayList<>();
            for (String subject : autoAcks) {
                acks.add(connection.request(subject, "+ACK".getBytes(StandardCharsets.US_ASCII)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        return out;
    }

    /** take collects a fetch's deliveries; those acked automatically have their subjects in {@code autoAcks}. */
    private void take(ConsumeRequest r, Group g, FetchConsumer fetch, List<Delivery> out, List<String> autoAcks)
            throws Exception {
        try (fetch) {
            io.nats.client.Message m;
            while ((m = fetch.nextMessage()) != null) {
                io.nats.client.impl.NatsJetStreamMetaData meta = m.metaData();
                int deliveries = (int) meta.deliveredCount();
                Message message = Codec.decode(r.topic(), meta.streamSequence() - 1, m.getData());
                if (deliveries > g.settings().maxDeliveries()) {
                    // Its last lease ran out: one dead letter, then it is done in this group.
                    deadLetter(r.topic(), r.group(), message, deliveries - 1, "ack-timeout", Optional.empty(),
                            m.getReplyTo());
                    continue;
                }
                Optional<String> receipt = Optional.empty();
                if (r.ack() == AckMode.AUTO) {
                    autoAcks.add(m.getReplyTo());
                } else {
                    receipt = Optional.of(receipts.make(m.getReplyTo()));
                }
                out.add(new Delivery(message, deliveries - 1, Optional.of(r.group()), receipt));
            }
        }
    }

    /**
     * deadLetter stores one copy in {@code dlq.{topic}} (deduplicated by JetStream on the topic, group
     * and sequence, so two nodes racing store one), then terminates the original in the group.
     */
    private CompletableFuture<Void> deadLetter(TopicName topic, GroupName group, Message m, int deliveries,
                                               String reason, Optional<String> error, String ackSubject) {
        TopicName dlq = TopicName.of(TopicName.DEAD_LETTER_PREFIX + topic.value());
        try {
            ensureStream(dlq);
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
        NewMessage letter = core.deadLetter(topic, group, m, deliveries, reason, Instant.now(), error);
        byte[] p = Codec.encode(core.newId(), Instant.ofEpochMilli(System.currentTimeMillis()), letter);
        PublishOptions once = PublishOptions.builder().expectedStream(Names.stream(dlq))
                .messageId(Names.stream(topic) + ":" + Names.consumer(group) + ":" + (m.offset() + 1)).build();
        return publishRetrying(Names.subject(dlq), p, once, System.nanoTime() + RETRY_NANOS)
                .thenCompose(stored -> connection.request(ackSubject, "+TERM".getBytes(StandardCharsets.US_ASCII)))
                .thenAccept(done -> { })
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.warn("a dead letter of {} in group {} was not stored ({}); it comes back after the ack timeout",
                                topic, group, failure.getMessage());
                    }
                });
    }

    private void giveBack(List<Delivery> got) {
        for (Delivery d : got) {
            d.receipt().flatMap(receipts::subject).ifPresent(s ->
                    connection.publish(s, "-NAK".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    // ---- settle ------------------------------------------------------------------------------------

    /** AckSubject is what a receipt's acknowledgement subject says: the stream, consumer, count and sequence. */
    private record AckSubject(String subject, String stream, String consumer, int deliveries, long sequence) {
        static Optional<AckSubject> parse(String s) {
            String[] t = s.split("\\.");
            if (t.length < 9 || !"$JS".equals(t[0]) || !"ACK".equals(t[1])) {
                return Optional.empty();
            }
            int i = t.length == 9 ? 2 : 4; // $JS.ACK.<stream>... or $JS.ACK.<domain>.<account>.<stream>...
            try {
                return Optional.of(new AckSubject(s, t[i], t[i + 1], Integer.parseInt(t[i + 2]), Long.parseLong(t[i + 3])));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private interface Action {
        CompletableFuture<?> apply(AckSubject a);
    }

    private CompletionStage<SettleResult> settle(TopicName topic, GroupName group, List<String> given, Action action) {
        List<String> stale = new ArrayList<>();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        List<String> sentReceipts = new ArrayList<>();
        String stream = Names.stream(topic);
        String consumer = Names.consumer(group);
        for (String r : given) {
            Optional<AckSubject> a = receipts.subject(r).flatMap(AckSubject::parse)
                    .filter(s -> s.stream().equals(stream) && s.consumer().equals(consumer));
            if (a.isEmpty()) {
                stale.add(r);
                continue;
            }
            sent.add(action.apply(a.get()).orTimeout(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            sentReceipts.add(r);
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((ok, failure) -> {
            if (failure != null) {
                throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, "JetStream did not confirm: " + failure.getMessage());
            }
            return new SettleResult(sentReceipts.size(), stale);
        });
    }

    private CompletableFuture<?> send(AckSubject a, String body) {
        return connection.request(a.subject(), body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public CompletionStage<SettleResult> ack(TopicName topic, GroupName group, List<String> given) {
        return settle(topic, group, given, a -> send(a, "+ACK"));
    }

    @Override
    public CompletionStage<SettleResult> extend(TopicName topic, GroupName group, List<String> given) {
        return settle(topic, group, given, a -> send(a, "+WPI"));
    }

    @Override
    public CompletionStage<SettleResult> nack(TopicName topic, GroupName group, List<String> given, Optional<String> reason,
                                              Duration delay) {
        Group g;
        try {
            g = group(topic, group, Optional.empty());
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (g == null) {
            return CompletableFuture.completedFuture(new SettleResult(0, given));
        }
        return settle(topic, group, given, a -> {
            if (a.deliveries() >= g.settings().maxDeliveries()) {
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        MessageInfo info = jsm.getMessage(a.stream(), a.sequence());
                        return Codec.decode(topic, a.sequence() - 1, info.getData());
                    } catch (IOException | JetStreamApiException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, polls).thenCompose(m -> deadLetter(topic, group, m, a.deliveries(), "nack", reason, a.subject()));
            }
            return send(a, delay.isZero() ? "-NAK" : "-NAK {\"delay\":" + delay.toNanos() + "}");
        });
    }

    // ---- admin -------------------------------------------------------------------------------------

    @Override
    public List<TopicInfo> topics() {
        try {
            List<TopicInfo> out = new ArrayList<>();
            for (StreamInfo s : jsm.getStreams()) {
                Optional<TopicName> t = Names.topic(s.getConfiguration().getName());
                if (t.isPresent()) {
                    StreamState st = s.getStreamState();
                    out.add(info(t.get(), st));
                }
            }
            out.sort(Comparator.comparing(TopicInfo::name));
            return out;
        } catch (IOException | JetStreamApiException e) {
            throw unavailable(e);
        }
    }

    private static TopicInfo info(TopicName t, StreamState st) {
        long first = st.getMsgCount() == 0 ? st.getLastSequence() : st.getFirstSequence() - 1;
        return new TopicInfo(t, st.getMsgCount(), first, st.getLastSequence() - 1);
    }

    @Override
    public Optional<TopicStats> stats(TopicName topic) {
        try {
            StreamInfo s;
            try {
                s = jsm.getStreamInfo(Names.stream(topic));
            } catch (JetStreamApiException missing) {
                return Optional.empty();
            }
            StreamState st = s.getStreamState();
            TopicInfo i = info(topic, st);
            List<TopicStats.GroupStats> gs = new ArrayList<>();
            for (ConsumerInfo c : jsm.getConsumers(Names.stream(topic))) {
                GroupName name;
                try {
                    name = GroupName.of(c.getName().replace("__", "_"));
                } catch (RuntimeException notOurs) {
                    continue;
                }
                gs.add(new TopicStats.GroupStats(name, c.getNumPending() + c.getNumAckPending(), (int) c.getNumAckPending(),
                        c.getDelivered().getConsumerSequence(), c.getAckFloor().getConsumerSequence(), c.getRedelivered(),
                        0, 0, Optional.empty()));
            }
            Optional<Duration> age = st.getMsgCount() == 0 || st.getFirstTime() == null ? Optional.empty()
                    : Optional.of(Duration.between(st.getFirstTime().toInstant(), Instant.now()));
            return Optional.of(new TopicStats(topic, st.getMsgCount(), st.getByteCount(), i.firstOffset(), i.lastOffset(),
                    st.getLastSequence(), 0, age, 0, 0, 0, gs));
        } catch (IOException | JetStreamApiException e) {
            throw unavailable(e);
        }
    }

    @Override
    public List<Message> browse(TopicName topic, long fromOffset, int limit) {
        if (!streamExists(topic)) {
            throw new BrokerException(ErrorCode.TOPIC_NOT_FOUND, "there is no topic " + topic);
        }
        List<Message> out = new ArrayList<>();
        long seq = Math.max(1, fromOffset + 1);
        try {
            while (out.size() < limit) {
                MessageInfo m;
                try {
                    m = jsm.getNextMessage(Names.stream(topic), seq, Names.subject(topic));
                } catch (JetStreamApiException none) {
                    break;
                }
                out.add(Codec.decode(topic, m.getSeq() - 1, m.getData()));
                seq = m.getSeq() + 1;
            }
        } catch (IOException e) {
            throw unavailable(e);
        }
        return out;
    }

    @Override
    public boolean deleteTopic(TopicName topic) {
        streams.remove(topic);
        groups.keySet().removeIf(k -> k.startsWith(topic.value() + " "));
        try {
            return jsm.deleteStream(Names.stream(topic));
        } catch (JetStreamApiException missing) {
            return false;
        } catch (IOException e) {
            throw unavailable(e);
        }
    }
}
