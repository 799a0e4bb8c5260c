package dev.broker.transport.websocket.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.NewMessage;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection is one WebSocket client: it decodes frames, acts on them and sends replies and
 * messages. Thread-safety: frames arrive on one Jetty thread at a time; messages arrive on broker
 * dispatch threads; sends go through Jetty's asynchronous remote, counted by {@link #pending} so
 * that a client that does not read is cut off (1008) instead of growing the heap.
 */
public final class Connection extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** MAX_PENDING is how many frames may wait to be sent to one client before it counts as too slow. */
    static final int MAX_PENDING = 4096;

    private final MessageBroker broker;
    private final Connections registry;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Session session;

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
        subscriptions.values().forEach(Subscription::close);
        subscriptions.clear();
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
        Frame frame;
        try {
            frame = FrameDecoder.decode(text);
        } catch (FrameException e) {
            sendError(e.code, e.getMessage(), e.messageId);
            return;
        }
        try {
            // Java 17 has no pattern switch; the chain covers every permitted Frame.
            if (frame instanceof Frame.Publish p) {
                publish(p);
            } else if (frame instanceof Frame.Subscribe s) {
                subscribe(s);
            } else if (frame instanceof Frame.Unsubscribe u) {
                unsubscribe(u);
            } else if (frame instanceof Frame.Settle s) {
                throw new BrokerException(ErrorCode.NOT_IMPLEMENTED,
                        "'" + s.type() + "' is not available yet in this version: subscriptions are broadcast only");
            }
        } catch (BrokerException e) {
            Optional<String> id = frame instanceof Frame.Publish p ? p.messageId() : Optional.empty();
            sendError(e.code(), e.detail(), id);
        }
    }

    private void publish(Frame.Publish p) {
        TopicName topic = TopicName.of(p.topic());
        broker.publish(topic, List.of(new NewMessage(p.data(), p.headers()))).whenComplete((stored, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof BrokerException b) {
                    sendError(b.code(), b.detail(), p.messageId());
                } else {
                    LOG.error("publish failed", cause);
                    sendError(ErrorCode.INTERNAL_ERROR, "the broker failed to publish; see its log", p.messageId());
                }
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
            }));
        });
    }

    private void subscribe(Frame.Subscribe s) {
        TopicPattern pattern = TopicPattern.of(s.topic());
        if (s.group().isPresent()) {
            throw new BrokerException(ErrorCode.NOT_IMPLEMENTED,
                    "group subscriptions are not available yet in this version; subscribe without 'group'");
        }
        if (s.ack().isPresent() && !s.ack().get().equals("auto")) {
            throw new BrokerException(ErrorCode.NOT_IMPLEMENTED, "ack '" + s.ack().get()
                    + "' is not available yet in this version: broadcast subscriptions are acknowledged automatically");
        }
        if (s.from().isPresent() && !s.from().get().equals("latest")) {
            throw new BrokerException(ErrorCode.NOT_IMPLEMENTED, "from '" + s.from().get()
                    + "' is not available yet in this version: subscriptions start with the next message");
        }
        subscriptions.computeIfAbsent(pattern.value(), key -> broker.subscribe(pattern, this::deliver));
        send(WireJson.text(g -> {
            g.writeStartObject();
            g.writeStringField("type", "subscribed");
            g.writeStringField("topic", pattern.value());
            g.writeStringField("ack", "auto");
            g.writeEndObject();
        }));
    }

    private void unsubscribe(Frame.Unsubscribe u) {
        Subscription s = subscriptions.remove(u.topic());
        if (s == null) {
            throw new BrokerException(ErrorCode.NOT_SUBSCRIBED, "this connection has no subscription to '" + u.topic() + "'");
        }
        s.close();
        send(WireJson.text(g -> {
            g.writeStartObject();
            g.writeStringField("type", "unsubscribed");
            g.writeStringField("topic", u.topic());
            g.writeEndObject();
        }));
    }

    private void deliver(Delivery d) {
        String pattern = d.message().topic().value();
        for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
            if (e.getValue().pattern().matches(d.message().topic())) {
                pattern = e.getKey();
                break;
            }
        }
        String subscription = pattern;
        send(WireJson.text(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message");
            g.writeStringField("subscription", subscription);
            WireJson.writeMessageFields(g, d);
            g.writeEndObject();
        }));
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
        }));
    }

    private void send(String text) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            registry.slowConsumerDisconnected();
            close(CloseReason.CloseCodes.VIOLATED_POLICY, "slow consumer: more than " + MAX_PENDING + " frames unsent");
            return;
        }
        try {
            s.getAsyncRemote().sendText(text, result -> {
                pending.decrementAndGet();
                if (!result.isOK()) {
                    LOG.debug("send failed: {}", String.valueOf(result.getException()));
                }
            });
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            LOG.debug("send failed: {}", e.toString());
        }
    }
}
