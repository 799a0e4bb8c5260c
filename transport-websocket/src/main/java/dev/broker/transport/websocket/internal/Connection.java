package dev.broker.transport.websocket.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
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
import dev.broker.api.PublishOptions;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.Subscription;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.spi.Principal;
import dev.broker.transport.websocket.internal.FrameDecoder.FrameException;
import dev.broker.web.Access;
import dev.broker.web.json.WireJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection is one WebSocket client on Jetty's core WebSocket API: it decodes frames, acts on
 * them and sends replies and messages (docs/websocket.md).
 *
 * <p>Reading: frames arrive on one Jetty thread at a time, and only when this connection asks
 * for the next one ({@link CoreSession#demand}). It does not ask while {@code WS_MAX_UNANSWERED}
 * of its publishes and acks wait for their answers, nor, with {@code WS_RATE_LIMIT} set, while it
 * is ahead of its rate: a fast client is read more slowly (TCP then slows it down), never cut off.
 * Whoever answers the request that brings the count back under the limit asks for the next frame.
 *
 * <p>Writing: frames are queued with Jetty's batching ({@code sendFrame(..., batch)}) and written
 * by a flush: a delivery round ends with one ({@link MessageListener#flush}, on the delivery
 * thread), and a reply asks for one on Jetty's executor, so the replies of one group commit leave
 * in a few writes. Frames not yet taken by Jetty are counted by {@link #pending}; group members
 * are handed no more than there is room for, and a broadcast subscriber that lets the count
 * overflow is cut off with 1008, so a slow client slows no one else.
 */
public final class Connection implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** MAX_PENDING is how many frames may wait to be sent to one client; {@link #maxPendingBytes} bounds their bytes. */
    static final int MAX_PENDING = 4096;
    private final MessageBroker broker;
    /** access binds receipts to {@link #principal}, who this connection acts for (docs/security.md). */
    private final Access access;
    private final Principal principal;
    /** expiry closes the connection when its token expires; null without an expiring token. */
    private volatile ScheduledFuture<?> expiry;
    private final Connections registry;
    private final int maxUnanswered;
    private final int rateLimit;
    private final ScheduledExecutorService timer;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** maxSubscriptions is WS_MAX_SUBSCRIPTIONS: a subscription past it is refused with an error frame. */
    private final int maxSubscriptions;
    /** The request each subscription was made with, so a repeat subscribe is recognised. */
    private final Map<String, SubscribeRequest> requests = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    /** pendingBytes is the size of the frames {@link #pending} counts. */
    private final java.util.concurrent.atomic.AtomicLong pendingBytes = new java.util.concurrent.atomic.AtomicLong();
    /** maxPendingBytes bounds the bytes waiting to be sent to this client, as MAX_PENDING bounds the frames. */
    private final long maxPendingBytes;
    /** lastFrameSize is the size of the last frame queued: capacity() counts room in frames of that size. */
    private volatile int lastFrameSize = 1024;
    private final AtomicBoolean throttled = new AtomicBoolean();
    /**
     * unanswered counts the client's frames whose reply Jetty has not yet taken: every frame gets
     * one (published, subscribed, acked, error, ...), so a client that sends faster than the broker
     * answers, or than it reads its answers, is read no further until it catches up.
     */
    private final AtomicInteger unanswered = new AtomicInteger();
    /** paused says the reader stopped asking for frames because of {@link #unanswered}. */
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicBoolean flushRequested = new AtomicBoolean();
    private volatile CoreSession session;
    private TextMessage text;
    /** Read by the reading thread only (or the timer that resumes it while reading stops). */
    private boolean inBinaryMessage;
    private double tokens;
    private long tokensAt = System.nanoTime();

    Connection(MessageBroker broker, Connections registry, int maxUnanswered, int rateLimit, int maxSubscriptions,
               long maxPendingBytes, ScheduledExecutorService timer, Access access, Principal principal) {
        this.broker = broker;
        this.access = access;
        this.principal = principal;
        this.maxPendingBytes = maxPendingBytes;
        this.maxSubscriptions = maxSubscriptions;
        this.registry = registry;
        this.maxUnanswered = maxUnanswered;
        this.rateLimit = rateLimit;
        this.timer = timer;
        this.tokens = rateLimit;
    }

    // ---- Jetty's FrameHandler -----------------------------------------------------------------

    @Override
    public void onOpen(CoreSession s, Callback callback) {
        this.session = s;
        this.text = new TextMessage((int) Math.min(Integer.MAX_VALUE, s.getMaxTextMessageSize()));
        registry.add(this);
        callback.succeeded();
        // A connection lasts no longer than the token it was opened with (docs/security.md).
        principal.expires().ifPresent(at -> expiry = timer.schedule(
                () -> close(CloseStatus.POLICY_VIOLATION, "the token expired"),
                Math.max(0, at.toEpochMilli() - System.currentTimeMillis()), TimeUnit.MILLISECONDS));
        s.demand();
    }

    @Override
    public void onFrame(org.eclipse.jetty.websocket.core.Frame frame, Callback callback) {
        CoreSession s = session;
        switch (frame.getOpCode()) {
            case OpCode.TEXT -> text(frame, callback);
            case OpCode.CONTINUATION -> {
                if (inBinaryMessage) {
                    binary(frame, callback);
                } else {
                    text(frame, callback);
                }
            }
            case OpCode.BINARY -> binary(frame, callback);
            case OpCode.PING -> {
                ByteBuffer payload = ByteBuffer.allocate(frame.getPayloadLength());
                if (frame.hasPayload()) {
                    payload.put(frame.getPayload().slice()).flip();
                }
                callback.succeeded();
                s.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.PONG, payload), Callback.NOOP, false);
                s.demand();
            }
            case OpCode.CLOSE -> callback.succeeded(); // Jetty answers it and closes
            default -> {
                callback.succeeded();
                s.demand();
            }
        }
    }

    /** text hands a text frame to the sink, which calls {@link #onText} with a whole message. */
    private void text(org.eclipse.jetty.websocket.core.Frame frame, Callback callback) {
        byte[] whole;
        try {
            whole = text.add(frame.getPayload(), frame.isFin());
        } catch (RuntimeException tooLargeOrNotUtf8) {
            // Jetty closes the connection: 1009 for a message over the limit, 1007 for one not UTF-8.
            callback.failed(tooLargeOrNotUtf8);
            return;
        }
        callback.succeeded();
        if (whole == null) {
            session.demand(); // the rest of a fragmented message
            return;
        }
        onText(whole);
        readNext();
    }

    /** binary skips a binary message without keeping it, and answers it with an error frame. */
    private void binary(org.eclipse.jetty.websocket.core.Frame frame, Callback callback) {
        inBinaryMessage = !frame.isFin();
        callback.succeeded();
        if (frame.isFin()) {
            unanswered.incrementAndGet();
            sendError(ErrorCode.INVALID_FRAME, "binary frames are not understood: send JSON in text frames", Optional.empty());
            readNext();
        } else {
            session.demand();
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        LOG.debug("websocket connection failed: {}", cause.toString());
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus status, Callback callback) {
        // Closing a group subscription gives its leases back to the group at once.
        subscriptions.values().forEach(Subscription::close);
        subscriptions.clear();
        ScheduledFuture<?> e = expiry;
        if (e != null) {
            e.cancel(false);
        }
        requests.clear();
        registry.remove(this);
        callback.succeeded();
    }

    // ---- reading: backpressure ----------------------------------------------------------------

    /**
     * readNext asks for the next frame, unless the client is ahead of its rate (the timer asks
     * once it is not) or has {@code WS_MAX_UNANSWERED} requests unanswered (the answer that
     * brings it under asks). Called on the reading thread after a whole message, or by the timer.
     */
    private void readNext() {
        CoreSession s = session;
        if (rateLimit > 0) {
            long now = System.nanoTime();
            tokens = Math.min(rateLimit, tokens + (now - tokensAt) / 1e9 * rateLimit);
            tokensAt = now;
            if (tokens < 1) {
                long waitNanos = (long) ((1 - tokens) / rateLimit * 1e9);
                try {
                    timer.schedule(this::readNext, Math.max(waitNanos, 100_000), TimeUnit.NANOSECONDS);
                    return;
                } catch (RejectedExecutionException stopping) {
                    return; // the transport is closing
                }
            }
            tokens--;
        }
        if (unanswered.get() >= maxUnanswered) {
            paused.set(true);
            // An answer may have come between the check and the flag: then it is ours to resume.
            if (unanswered.get() >= maxUnanswered || !paused.compareAndSet(true, false)) {
                return;
            }
        }
        s.demand();
    }

    /** answered counts one reply as taken by Jetty, and resumes reading if that ends a pause. */
    private void answered() {
        if (unanswered.decrementAndGet() < maxUnanswered && paused.compareAndSet(true, false)) {
            session.demand();
        }
    }

    // ---- frames from the client ---------------------------------------------------------------

    /** onText acts on one whole text message (UTF-8 JSON); called on the reading thread. */
    void onText(byte[] text) {
        unanswered.incrementAndGet(); // every frame gets exactly one reply: its answer or an error
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


    private void publish(Frame.Publish p) {
        TopicName topic = TopicName.of(p.topic());
        if (!principal.mayPublish(topic)) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + principal.name() + "' may not publish to '" + topic + "'");
        }
        // The messageId is the publish's idempotency key (docs/scheduled-and-idempotent.md).
        PublishOptions options = PublishOptions.of(p.delay(), p.ttl(), p.messageId());
        List<NewMessage> batch = List.of(new NewMessage(p.data(), p.headers()));
        if (options.isNone()) {
            broker.publish(topic, batch).whenComplete((stored, failure) -> {
                if (failure != null) {
                    fail(failure, p.messageId());
                    return;
                }
                reply(publishedFrame(p.messageId(), stored.get(0), false));
            });
            return;
        }
        broker.publish(topic, batch, options).whenComplete((published, failure) -> {
            if (failure != null) {
                fail(failure, p.messageId());
                return;
            }
            reply(publishedFrame(p.messageId(), published.messages().get(0), published.replayed()));
        });
    }

    /**
     * publishedFrame is the reply to a publish, written without a JSON generator: it is made for
     * every message a client publishes, on the store's completer thread, where making a generator
     * cost more than the rest of the reply (docs/BENCHMARKS.md). Topic names, ids, offsets and
     * timestamps need no escaping; the client's {@code messageId} is escaped. A repeat of a
     * messageId within DEDUP_WINDOW is answered with the first publish's message and
     * {@code "replayed":true}.
     */
    static byte[] publishedFrame(Optional<String> messageId, Message m, boolean replayed) {
        StringBuilder b = new StringBuilder(192).append("{\"type\":\"published\"");
        if (messageId.isPresent()) {
            b.append(",\"messageId\":\"").append(JsonStringEncoder.getInstance().quoteAsString(messageId.get())).append('"');
        }
        b.append(",\"id\":\"").append(m.id()).append("\",\"topic\":\"").append(m.topic().value())
                .append("\",\"offset\":").append(m.offset())
                .append(",\"timestamp\":\"").append(WireJson.timestamp(m.timestamp())).append('"');
        if (replayed) {
            b.append(",\"replayed\":true");
        }
        return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
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
        if (!principal.mayConsume(pattern)) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + principal.name() + "' may not consume from '"
                    + pattern.value() + "'" + (pattern.isWildcard() ? " (one consume pattern must cover the whole pattern)" : ""));
        }
        if (group.isPresent() && pattern.isWildcard() && !principal.admin()) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + principal.name()
                    + "' may not join a group on the pattern '" + pattern.value() + "': groups on patterns need admin");
        }
        SubscribeRequest request = new SubscribeRequest(pattern, group, ack, from, maxInFlight);
        String key = key(pattern.value(), s.group());
        SubscribeRequest existing = requests.get(key);
        if (existing != null && !existing.equals(request)) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "this connection is subscribed to '" + pattern.value() + "'"
                    + group.map(g -> " in group " + g).orElse("") + " with other settings; unsubscribe first");
        }
        Listener listener = new Listener(pattern.value(), group.isPresent());
        if (existing == null) {
            if (subscriptions.size() >= maxSubscriptions) {
                throw new BrokerException(ErrorCode.LIMIT_EXCEEDED, "this connection holds " + subscriptions.size()
                        + " subscriptions, the most WS_MAX_SUBSCRIPTIONS allows; unsubscribe first");
            }
            Subscription made = broker.subscribe(request, listener);
            requests.put(key, request);
            subscriptions.put(key, made);
        }
        reply(WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "subscribed");
            g.writeStringField("topic", pattern.value());
            if (group.isPresent()) {
                g.writeStringField("group", group.get().value());
                g.writeNumberField("maxInFlight", maxInFlight);
            }
            g.writeStringField("ack", ack.wire());
            g.writeEndObject();
        }));
        listener.open();
        requestFlush(); // the held frames, behind the reply
    }

    private void unsubscribe(Frame.Unsubscribe u) {
        requests.remove(key(u.topic(), u.group()));
        Subscription s = subscriptions.remove(key(u.topic(), u.group()));
        if (s == null) {
            throw new BrokerException(ErrorCode.NOT_SUBSCRIBED, "this connection has no subscription to '" + u.topic() + "'"
                    + u.group().map(g -> " in group " + g).orElse(""));
        }
        s.close();
        reply(WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "unsubscribed");
            g.writeStringField("topic", u.topic());
            if (u.group().isPresent()) {
                g.writeStringField("group", u.group().get());
            }
            g.writeEndObject();
        }));
    }

    private void settle(Frame.Settle s) {
        TopicName topic = TopicName.of(s.topic());
        GroupName group = s.group().map(GroupName::of).orElse(GroupName.DEFAULT);
        String receipt = s.receipt().orElseThrow(() -> new BrokerException(ErrorCode.INVALID_FRAME,
                "an '" + s.type() + "' frame needs a 'receipt'"));
        if (!principal.mayConsume(topic)) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + principal.name() + "' may not consume from '" + topic + "'");
        }
        CompletionStage<SettleResult> result = access.settle(principal, List.of(receipt), receipts -> switch (s.type()) {
            case "ack" -> broker.ack(topic, group, receipts);
            case "nack" -> {
                Duration delay = s.delay().map(d -> {
                    try {
                        return Durations.parse(d);
                    } catch (IllegalArgumentException e) {
                        throw new BrokerException(ErrorCode.INVALID_PARAMETER, "delay: " + e.getMessage());
                    }
                }).orElse(Duration.ZERO);
                yield broker.nack(topic, group, receipts, s.reason(), delay);
            }
            default -> broker.extend(topic, group, receipts);
        });
        String done = s.type().equals("ack") ? "acked" : s.type().equals("nack") ? "nacked" : "extended";
        result.whenComplete((r, failure) -> {
            if (failure != null) {
                fail(failure, Optional.empty());
                return;
            }
            reply(WireJson.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("type", done);
                g.writeStringField("topic", topic.value());
                g.writeStringField("group", group.value());
                g.writeStringField("receipt", receipt);
                g.writeBooleanField("stale", r.settled() == 0);
                g.writeEndObject();
            }));
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
        private List<byte[]> held = new ArrayList<>();
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
                List<byte[]> round = held;
                held = new ArrayList<>();
                round.forEach(frame -> transmit(frame, false));
            }
            held = null;
            open = true;
        }

        private void deliver(byte[] frame, boolean bounded) {
            if (!open) {
                synchronized (this) {
                    if (held != null) {
                        if (reserve(bounded, frame.length)) {
                            held.add(frame);
                        }
                        return;
                    }
                }
            }
            send(frame, bounded);
        }

        @Override
        public void onMessage(Delivery d) {
            deliver(Encoded.messageFrame(member ? access.bind(principal, d) : d, subscription), member);
        }

        @Override
        public void flush() {
            CoreSession s = session;
            if (s != null) {
                s.flush(Callback.NOOP);
            }
        }

        @Override
        public int capacity() {
            // Frames of the size seen last that fit in the byte bound, and no more than the frame bound.
            long bytesRoom = (maxPendingBytes - pendingBytes.get()) / Math.max(1, lastFrameSize);
            int room = (int) Math.min(MAX_PENDING - pending.get(), bytesRoom);
            if (room <= 0) {
                throttled.set(true);
            }
            return Math.max(0, room);
        }

        @Override
        public void onTopicDeleted(TopicName topic) {
            deliver(WireJson.bytes(g -> {
                g.writeStartObject();
                g.writeStringField("type", "topic-deleted");
                g.writeStringField("topic", topic.value());
                g.writeStringField("subscription", subscription);
                g.writeEndObject();
            }), true);
            requestFlush();
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
        reply(WireJson.bytes(g -> {
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

    // ---- frames to the client -----------------------------------------------------------------

    void ping() {
        CoreSession s = session;
        if (s != null && s.isOutputOpen()) {
            s.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.PING), Callback.NOOP, false);
        }
    }

    void close(int code, String reason) {
        CoreSession s = session;
        if (s != null && s.isOutputOpen()) {
            s.close(code, reason, Callback.NOOP);
        }
    }

    /**
     * reply queues the one reply to a client's frame and asks for a flush; the frame counts as
     * answered once Jetty takes the reply.
     */
    private void reply(byte[] frame) {
        if (!reserve(true, frame.length)) {
            answered();
            return;
        }
        transmit(frame, true);
        requestFlush();
    }

    /**
     * send queues a frame. A broadcast message that finds the buffer full cuts the client off;
     * replies and group messages (which the buffer's room already bounds) may exceed it up to twice.
     * The frame is written by the next flush.
     */
    private void send(byte[] frame, boolean bounded) {
        if (reserve(bounded, frame.length)) {
            transmit(frame, false);
        }
    }

    /**
     * reserve counts one more frame into the outbound buffer; false if it is not to be sent: the
     * connection is closed, or the frame overflowed the buffer and the client was cut off.
     */
    private boolean reserve(boolean bounded, int size) {
        CoreSession s = session;
        if (s == null || !s.isOutputOpen()) {
            return false;
        }
        lastFrameSize = size;
        int now = pending.incrementAndGet();
        long bytes = pendingBytes.addAndGet(size);
        // Bytes are cut off at twice the bound for everyone: capacity() aims at the bound with an
        // estimate of the frame size, and a round of larger frames must not cut off a reader that keeps up.
        if (now > (bounded ? 2 * MAX_PENDING : MAX_PENDING) || bytes > 2 * maxPendingBytes) {
            pending.decrementAndGet();
            pendingBytes.addAndGet(-size);
            registry.slowConsumerDisconnected();
            close(CloseStatus.POLICY_VIOLATION, "slow consumer: more than " + MAX_PENDING + " frames or "
                    + 2 * maxPendingBytes + " bytes unsent");
            return false;
        }
        return true;
    }

    /**
     * transmit hands a reserved frame to Jetty as part of a batch; it leaves the buffer once Jetty
     * has taken it. The bytes may be shared with other connections: Jetty only reads them.
     */
    private void transmit(byte[] frame, boolean answer) {
        CoreSession s = session;
        int size = frame.length;
        if (s == null || !s.isOutputOpen()) {
            sent(answer, size);
            return;
        }
        s.sendFrame(new org.eclipse.jetty.websocket.core.Frame(OpCode.TEXT, ByteBuffer.wrap(frame)),
                Callback.from(() -> sent(answer, size), failure -> {
                    sent(answer, size);
                    LOG.debug("send failed: {}", failure.toString());
                }), true);
    }

    private void sent(boolean answer, int size) {
        if (answer) {
            answered();
        }
        long bytesLeft = pendingBytes.addAndGet(-size);
        int left = pending.decrementAndGet();
        if (left < MAX_PENDING / 2 && bytesLeft < maxPendingBytes / 2 && throttled.compareAndSet(true, false)) {
            subscriptions.values().forEach(Subscription::wake);
        }
    }

    /**
     * requestFlush has the queued frames written soon, on Jetty's executor: replies are queued one
     * at a time by whoever completes a request (a group commit completes hundreds), so they share
     * the flushes that follow instead of each making one.
     */
    private void requestFlush() {
        CoreSession s = session;
        if (s == null || !flushRequested.compareAndSet(false, true)) {
            return;
        }
        Executor executor = s.getWebSocketComponents().getExecutor();
        Runnable flush = () -> {
            flushRequested.set(false);
            s.flush(Callback.NOOP);
        };
        try {
            if (executor == null) {
                flush.run();
            } else {
                executor.execute(flush);
            }
        } catch (RejectedExecutionException stopping) {
            flush.run();
        }
    }

    private static String key(String pattern, Optional<String> group) {
        return pattern + "|" + group.orElse("");
    }
}
