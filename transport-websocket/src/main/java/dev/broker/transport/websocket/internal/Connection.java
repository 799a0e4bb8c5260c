package dev.broker.transport.websocket.internal;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.Durations;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.MessageListener;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.Subscription;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.transport.websocket.internal.FrameDecoder.FrameException;
import dev.broker.web.json.WireJson;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection is one WebSocket client: it decodes frames, acts on them and sends replies and
 * messages. Thread-safety: frames arrive on one Jetty thread at a time; messages arrive on broker
 * threads; sends go through Jetty's asynchronous remote, counted by {@link #pending}. Group members
 * are handed no more than the outbound buffer has room for; a broadcast subscriber that lets the
 * buffer overflow is cut off with 1008, so a slow client slows no one else.
 */
public final class Connection extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** MAX_PENDING is how many frames may wait to be sent to one client. */
    static final int MAX_PENDING = 4096;
    /** FLOOD_BURST and FLOOD_RATE bound the frames a client may send: a burst, then a rate per second. */
    static final int FLOOD_BURST = 20_000;
    static final int FLOOD_RATE = 10_000;

    private final MessageBroker broker;
    private final Connections registry;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** The request each subscription was made with, so a repeat subscribe is recognised. */
    private final Map<String, SubscribeRequest> requests = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean throttled = new AtomicBoolean();
    private volatile Session session;
    private double tokens = FLOOD_BURST;
    private long tokensAt = System.nanoTime();

    Connection(MessageBroker broker, Connections registry) {
        this.broker = broker;
        this.registry = registry;
    }

    @Override
    public void onOpen(Session s, EndpointConfig config) {
        this.session = s;
        registry.add(this);
        s.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
    }

    @Override
    public void onClose(Session s, CloseReason reason) {
        // Closing a group subscription gives its leases back to the group at once.
        subscriptions.values().forEach(Subscription::close);
        subscriptions.clear();
        requests.clear();
        registry.remove(this);
    }

    @Override
    public void onError(Session s, Throwable error) {
        LOG.debug("websocket connection failed: {}", error.toString());
    }

    void ping() {
        Session s = session;
        if (s != null && s.isOpen()) {
            try {
                s.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
                LOG.debug("ping failed: {}", e.toString());
            }
        }
    }

    void close(CloseReason.CloseCodes code, String reason) {
        Session s = session;
        if (s != null && s.isOpen()) {
            try {
                s.close(new CloseReason(code, reason));
            } catch (IOException e) {
                LOG.debug("close failed: {}", e.toString());
            }
        }
    }

    private void onText(String text) {
        if (flooding()) {
            registry.floodDisconnected();
            close(CloseReason.CloseCodes.VIOLATED_POLICY, "flood: more than " + FLOOD_RATE + " frames a second");
            return;
        }
        Frame frame;
        try {
            frame = FrameDecoder.decode(text);
        } catch (FrameException e) {
            sendError(e.code, e.getMessage(), e.messageId);
            return;
        }
        Optional<String> messageId = frame instanceof Frame.Publish p ? p.messageId() : Optional.empty();
        try {
            // Java 17 has no pattern switch; the chain covers every permitted Frame.
            if (frame instanceof Frame.Publish p) {
                publish(p);
            } else if (frame instanceof Frame.Subscribe s) {
                subscribe(s);
            } else if (frame instanceof Frame.Unsubscribe u) {
                unsubscribe(u);
            } else if (frame instanceof Frame.Settle s) {
                settle(s);
            }
        } catch (BrokerException e) {
            sendError(e.code(), e.detail(), messageId);
        }
    }

    /** flooding spends a token for a frame; true when the client has none left. Frames arrive one at a time. */
    private boolean flooding() {
        long now = System.nanoTime();
        tokens = Math.min(FLOOD_BURST, tokens + (now - tokensAt) / 1e9 * FLOOD_RATE);
        tokensAt = now;
        if (tokens < 1) {
            return true;
        }
        tokens--;
        return false;
    }

    private void publish(Frame.Publish p) {
        TopicName topic = TopicName.of(p.topic());
        broker.publish(topic, List.of(new NewMessage(p.data(), p.headers()))).whenComplete((stored, failure) -> {
            if (failure != null) {
                fail(failure, p.messageId());
                return;
            }
            Message m = stored.get(0);
            send(WireJson.text(g -> {
                g.writeStartObject();
                g.writeStringField("type", "published");
                if (p.messageId().isPresent()) {
                    g.writeStringField("messageId", p.messageId().get());
                }
                g.writeStringField("id", m.id().toString());
                g.writeStringField("topic", m.topic().value());
                g.writeNumberField("offset", m.offset());
                g.writeStringField("timestamp", WireJson.timestamp(m.timestamp()));
                g.writeEndObject();
            }), true);
        });
    }

    private void subscribe(Frame.Subscribe s) {
        TopicPattern pattern = TopicPattern.of(s.topic());
        Optional<GroupName> group = s.group().map(GroupName::of);
        AckMode ack = s.ack().map(AckMode::parse).orElse(AckMode.AUTO);
        Optional<StartFrom> from = s.from().map(StartFrom::parse);
        int maxInFlight = s.maxInFlight().map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new BrokerException(ErrorCode.INVALID_PARAMETER, "maxInFlight must be a number, not '" + v + "'");
            }
        }).orElse(SubscribeRequest.DEFAULT_MAX_IN_FLIGHT);
        SubscribeRequest request = new SubscribeRequest(pattern, group, ack, from, maxInFlight);
        String key = key(pattern.value(), s.group());
        SubscribeRequest existing = requests.get(key);
        if (existing != null && !existing.equals(request)) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "this connection is subscribed to '" + pattern.value() + "'"
                    + group.map(g -> " in group " + g).orElse("") + " with other settings; unsubscribe first");
        }
        Listener listener = new Listener(pattern.value(), group.isPresent());
        if (existing == null) {
            requests.put(key, request);
            subscriptions.put(key, broker.subscribe(request, listener));
        }
        send(WireJson.text(g -> {
            g.writeStartObject();
            g.writeStringField("type", "subscribed");
            g.writeStringField("topic", pattern.value());
            if (group.isPresent()) {
                g.writeStringField("group", group.get().value());
                g.writeNumberField("maxInFlight", maxInFlight);
            }
            g.writeStringField("ack", ack.wire());
            g.writeEndObject();
        }), true);
        listener.open();
    }

    private void unsubscribe(Frame.Unsubscribe u) {
        requests.remove(key(u.topic(), u.group()));
        Subscription s = subscriptions.remove(key(u.topic(), u.group()));
        if (s == null) {
            throw new BrokerException(ErrorCode.NOT_SUBSCRIBED, "this connection has no subscription to '" + u.topic() + "'"
                    + u.group().map(g -> " in group " + g).orElse(""));
        }
        s.close();
        send(WireJson.text(g -> {
            g.writeStartObject();
            g.writeStringField("type", "unsubscribed");
            g.writeStringField("topic", u.topic());
            if (u.group().isPresent()) {
                g.writeStringField("group", u.group().get());
            }
            g.writeEndObject();
        }), true);
    }

    private void settle(Frame.Settle s) {
        TopicName topic = TopicName.of(s.topic());
        GroupName group = s.group().map(GroupName::of).orElse(GroupName.DEFAULT);
        String receipt = s.receipt().orElseThrow(() -> new BrokerException(ErrorCode.INVALID_FRAME,
                "an '" + s.type() + "' frame needs a 'receipt'"));
        CompletionStage<SettleResult> result = switch (s.type()) {
            case "ack" -> broker.ack(topic, group, List.of(receipt));
            case "nack" -> {
                Duration delay = s.delay().map(d -> {
                    try {
                        return Durations.parse(d);
                    } catch (IllegalArgumentException e) {
                        throw new BrokerException(ErrorCode.INVALID_PARAMETER, "delay: " + e.getMessage());
                    }
                }).orElse(Duration.ZERO);
                yield broker.nack(topic, group, List.of(receipt), s.reason(), delay);
            }
            default -> broker.extend(topic, group, List.of(receipt));
        };
        String done = s.type().equals("ack") ? "acked" : s.type().equals("nack") ? "nacked" : "extended";
        result.whenComplete((r, failure) -> {
            if (failure != null) {
                fail(failure, Optional.empty());
                return;
            }
            send(WireJson.text(g -> {
                g.writeStartObject();
                g.writeStringField("type", done);
                g.writeStringField("topic", topic.value());
                g.writeStringField("group", group.value());
                g.writeStringField("receipt", receipt);
                g.writeBooleanField("stale", r.settled() == 0);
                g.writeEndObject();
            }), true);
        });
    }

    /**
     * Listener turns one subscription's deliveries into message frames. The subscription exists
     * before the {@code subscribed} reply is queued (so a message published once the client has
     * the reply reaches it), but a replay or a group's backlog may flow at once, on this or another
     * thread: frames are held until {@link #open} and sent after the reply.
     */
    private final class Listener implements MessageListener {
        private final String subscription;
        private final boolean member;
        /**
         * held keeps frames until {@link #open}; null after. Guarded by this. Held frames are
         * already counted in the outbound buffer, so a group's backlog is handed out no faster
         * while it waits for the reply.
         */
        private List<String> held = new ArrayList<>();
        private volatile boolean open;

        Listener(String subscription, boolean member) {
            this.subscription = subscription;
            this.member = member;
        }

        /** open sends the held frames, then lets frames through; called once the reply is queued. */
        synchronized void open() {
            // A send may complete at once and wake the broker, which may deliver more on this
            // thread: those are held too, and sent in the next round.
            while (!held.isEmpty()) {
                List<String> round = held;
                held = new ArrayList<>();
                round.forEach(Connection.this::transmit);
            }
            held = null;
            open = true;
        }

        private void deliver(String text, boolean bounded) {
            if (!open) {
                synchronized (this) {
                    if (held != null) {
                        if (reserve(bounded)) {
                            held.add(text);
                        }
                        return;
                    }
                }
            }
            send(text, bounded);
        }

        @Override
        public void onMessage(Delivery d) {
            deliver(WireJson.text(g -> {
                g.writeStartObject();
                g.writeStringField("type", "message");
                g.writeStringField("subscription", subscription);
                WireJson.writeMessageFields(g, d);
                g.writeEndObject();
            }), member);
        }

        @Override
        public int capacity() {
            int room = MAX_PENDING - pending.get();
            if (room <= 0) {
                throttled.set(true);
            }
            return Math.max(0, room);
        }

        @Override
        public void onTopicDeleted(TopicName topic) {
            deliver(WireJson.text(g -> {
                g.writeStartObject();
                g.writeStringField("type", "topic-deleted");
                g.writeStringField("topic", topic.value());
                g.writeStringField("subscription", subscription);
                g.writeEndObject();
            }), true);
        }
    }

    private void fail(Throwable failure, Optional<String> messageId) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BrokerException b) {
            sendError(b.code(), b.detail(), messageId);
        } else {
            LOG.error("request failed", cause);
            sendError(ErrorCode.INTERNAL_ERROR, "the broker failed to handle the frame; see its log", messageId);
        }
    }

    private void sendError(ErrorCode code, String message, Optional<String> messageId) {
        send(WireJson.text(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeStringField("code", code.code());
            g.writeStringField("message", message);
            if (messageId.isPresent()) {
                g.writeStringField("messageId", messageId.get());
            }
            g.writeEndObject();
        }), true);
    }

    /**
     * send queues a frame. A broadcast message that finds the buffer full cuts the client off;
     * replies and group messages (which the buffer's room already bounds) may exceed it up to twice.
     */
    private void send(String text, boolean bounded) {
        if (reserve(bounded)) {
            transmit(text);
        }
    }

    /**
     * reserve counts one more frame into the outbound buffer; false if it is not to be sent: the
     * connection is closed, or the frame overflowed the buffer and the client was cut off.
     */
    private boolean reserve(boolean bounded) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return false;
        }
        int now = pending.incrementAndGet();
        if (now > (bounded ? 2 * MAX_PENDING : MAX_PENDING)) {
            pending.decrementAndGet();
            registry.slowConsumerDisconnected();
            close(CloseReason.CloseCodes.VIOLATED_POLICY, "slow consumer: more than " + MAX_PENDING + " frames unsent");
            return false;
        }
        return true;
    }

    /** transmit hands a reserved frame to Jetty; the frame leaves the buffer once it is written. */
    private void transmit(String text) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            pending.decrementAndGet();
            return;
        }
        try {
            s.getAsyncRemote().sendText(text, result -> {
                int left = pending.decrementAndGet();
                if (left < MAX_PENDING / 2 && throttled.compareAndSet(true, false)) {
                    subscriptions.values().forEach(Subscription::wake);
                }
                if (!result.isOK()) {
                    LOG.debug("send failed: {}", String.valueOf(result.getException()));
                }
            });
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            LOG.debug("send failed: {}", e.toString());
        }
    }

    private static String key(String pattern, Optional<String> group) {
        return pattern + "|" + group.orElse("");
    }
}
