package dev.broker.client.internal;

import dev.broker.client.AckMode;
import dev.broker.client.BrokerRefusedException;
import dev.broker.client.BrokerUnavailableException;
import dev.broker.client.Delivery;
import dev.broker.client.DeliveryHandler;
import dev.broker.client.Message;
import dev.broker.client.Settled;
import dev.broker.client.StartFrom;
import dev.broker.client.Subscription;
import dev.broker.client.SubscriptionEvent;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * WsSubscription is a {@link Subscription} on a WebSocket connection of its own. Each connection
 * it opens is a {@link Conn}; when one is lost the next is opened after a backoff, and the
 * subscription is made again: a broadcast on one topic from the offset after the last one queued,
 * a pattern broadcast as first asked, with the messages of each topic at or below the last offset
 * queued dropped; a group member as first asked (its group remembers what it finished).
 *
 * <p>Thread-safe. Frames are read on the JDK client's threads; the handler runs on one thread of
 * the subscription's own ("broker-client-sub-TOPIC"); the queue between them is bounded by
 * {@link #capacity}: while it is full the connection reads nothing.
 */
public final class WsSubscription implements Subscription {
    private final Http http;
    private final ScheduledExecutorService timer;
    private final String topic;
    private final Optional<String> group;
    private final AckMode ack;
    private final Optional<StartFrom> from;
    private final int maxInFlight;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Consumer<SubscriptionEvent> events;
    private final DeliveryHandler handler;
    private final int capacity;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    /** The offset of the last message queued, per topic: where a broadcast resumes. */
    private final Map<String, Long> lastQueued = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> first = new CompletableFuture<>();
    private final Thread worker;
    private final Object lock = new Object();
    // guarded by lock
    private Conn current;
    private Duration backoff;
    private boolean closed;

    /** WsSubscription is set up by {@link Subscription.Builder}; {@link #start} connects it. */
    public WsSubscription(Http http, ScheduledExecutorService timer, String topic, Optional<String> group, AckMode ack,
                          Optional<StartFrom> from, int maxInFlight, Duration minBackoff, Duration maxBackoff,
                          Consumer<SubscriptionEvent> events, DeliveryHandler handler) {
        this.http = http;
        this.timer = timer;
        this.topic = topic;
        this.group = group;
        this.ack = ack;
        this.from = from;
        this.maxInFlight = maxInFlight;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.backoff = minBackoff;
        this.events = events;
        this.handler = handler;
        this.capacity = Math.max(256, maxInFlight + 1);
        this.worker = new Thread(this::work, "broker-client-sub-" + topic);
        this.worker.setDaemon(true);
    }

    /** start connects and waits until the broker confirmed the subscription, or throws why not. */
    public void start() {
        worker.start();
        connect(false);
        try {
            Http.join(first);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public Optional<String> group() {
        return group;
    }

    @Override
    public boolean connected() {
        synchronized (lock) {
            return current != null && current.subscribed && !current.gone;
        }
    }

    // ---- connecting -----------------------------------------------------------------------

    private URI wsAddress() {
        URI u = http.base().resolve("ws");
        String scheme = u.getScheme().equalsIgnoreCase("https") ? "wss" : "ws";
        return URI.create(scheme + u.toString().substring(u.getScheme().length()));
    }

    private void connect(boolean resumed) {
        Conn c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            c = new Conn(resumed);
            current = c;
        }
        WebSocket.Builder b = http.client().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        http.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        b.buildAsync(wsAddress(), c).whenComplete((ws, failure) -> {
            if (failure != null) {
                c.lost(describe(failure), refusal(Http.unwrap(failure)));
            }
        });
    }

    private static String describe(Throwable failure) {
        Throwable t = Http.unwrap(failure);
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** refusal is the broker's refusal of an upgrade (401, 403), if that is what failed. */
    private static Optional<BrokerRefusedException> refusal(Throwable t) {
        if (t instanceof WebSocketHandshakeException h && h.getResponse() != null) {
            int status = h.getResponse().statusCode();
            String code = switch (status) {
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "not-found";
                default -> status >= 500 ? "internal-error" : "invalid-parameter";
            };
            return Optional.of(new BrokerRefusedException(code, status, "the broker refused the WebSocket upgrade with HTTP "
                    + status, Optional.empty()));
        }
        return Optional.empty();
    }

    private String subscribeFrame(boolean resumed) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("type", "subscribe");
        f.put("topic", topic);
        group.ifPresent(g -> f.put("group", g));
        f.put("ack", ack.wire());
        if (group.isPresent()) {
            f.put("maxInFlight", Integer.toString(maxInFlight));
        }
        Long last = lastQueued.get(topic);
        boolean exactTopic = topic.indexOf('*') < 0 && topic.indexOf('>') < 0;
        if (resumed && group.isEmpty() && exactTopic && last != null) {
            f.put("from", Long.toString(last + 1));
        } else {
            from.ifPresent(s -> f.put("from", s.wire()));
        }
        return Json.write(f);
    }

    private void emit(SubscriptionEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ignored) {
            // a listener's failure must not stop the subscription
        }
    }

    // ---- the handler's thread ---------------------------------------------------------------

    private record Item(Conn conn, Message message) {
    }

    private void work() {
        while (true) {
            Item item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            item.conn.maybeResume();
            if (group.isPresent() && item.conn.gone) {
                continue; // its lease went back to the group with the connection: it comes again
            }
            Settling d = new Settling(item.conn, item.message);
            try {
                handler.onMessage(d);
            } catch (Exception | Error failure) {
                if (failure instanceof Error e && !(e instanceof AssertionError)) {
                    throw e;
                }
                if (ack == AckMode.MANUAL && !d.settled) {
                    d.nack(failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage(), Duration.ZERO);
                } else {
                    emit(new SubscriptionEvent.HandlerFailed(item.message, failure));
                }
            }
        }
    }

    /** Settling is a delivery with its connection: only that connection's broker session knows its receipt. */
    private final class Settling implements Delivery {
        private final Conn conn;
        private final Message message;
        volatile boolean settled;

        Settling(Conn conn, Message message) {
            this.conn = conn;
            this.message = message;
        }

        @Override
        public Message message() {
            return message;
        }

        @Override
        public CompletableFuture<Settled> ack() {
            return settle("ack", Optional.empty(), Duration.ZERO);
        }

        @Override
        public CompletableFuture<Settled> nack(String reason, Duration delay) {
            return settle("nack", Optional.of(reason).filter(r -> !r.isEmpty()), delay);
        }

        @Override
        public CompletableFuture<Settled> extend() {
            return settle("extend", Optional.empty(), Duration.ZERO);
        }

        private CompletableFuture<Settled> settle(String type, Optional<String> reason, Duration delay) {
            String receipt = message.receipt().orElseThrow(() -> new IllegalStateException(
                    "only a manual group delivery can be " + type + "ed; this one has no receipt"));
            if (!type.equals("extend")) {
                settled = true;
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("type", type);
            f.put("topic", message.topic());
            f.put("group", message.group().orElseThrow());
            f.put("receipt", receipt);
            reason.ifPresent(r -> f.put("reason", r));
            if (!delay.isZero()) {
                f.put("delay", Json.duration(delay));
            }
            return conn.settle(receipt, Json.write(f));
        }
    }

    // ---- one connection ------------------------------------------------------------------------

    private record Pending(String receipt, CompletableFuture<Settled> result) {
    }

    /** Conn is one WebSocket connection of the subscription, and its listener. */
    private final class Conn implements WebSocket.Listener {
        private final boolean resumed;
        private final StringBuilder partial = new StringBuilder();
        // guarded by this
        private final Deque<Pending> settles = new ArrayDeque<>();
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
        private WebSocket ws;
        private boolean paused;
        volatile boolean subscribed;
        volatile boolean gone;

        Conn(boolean resumed) {
            this.resumed = resumed;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            synchronized (this) {
                ws = webSocket;
            }
            send(subscribeFrame(resumed));
            webSocket.request(1);
        }

        synchronized void send(String text) {
            WebSocket w = ws;
            sending = sending.thenCompose(v -> w.sendText(text, true)).exceptionally(failure -> null);
        }

        CompletableFuture<Settled> settle(String receipt, String frame) {
            synchronized (this) {
                if (!gone) {
                    Pending p = new Pending(receipt, new CompletableFuture<>());
                    settles.add(p);
                    send(frame);
                    return p.result;
                }
            }
            // The connection closed since the delivery: its lease went back to the group.
            return CompletableFuture.completedFuture(new Settled(0, List.of(receipt)));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String text = partial.toString();
            partial.setLength(0);
            boolean more = true;
            try {
                more = frame(Json.frame(text));
            } catch (RuntimeException unreadable) {
                emit(new SubscriptionEvent.Refused(new BrokerRefusedException("invalid-frame", 0,
                        "a frame from the broker could not be read: " + unreadable.getMessage(), Optional.empty())));
            }
            synchronized (this) {
                if (more) {
                    webSocket.request(1);
                } else {
                    paused = true;
                }
            }
            return null;
        }

        /** maybeResume asks for the next frame once the handler has made room in the queue. */
        void maybeResume() {
            synchronized (this) {
                if (paused && queue.size() < capacity / 2) {
                    paused = false;
                    ws.request(1);
                }
            }
        }

        /** frame handles one frame, and says whether to read the next one now. */
        private boolean frame(Json.Frame f) {
            switch (f.type()) {
                case "subscribed" -> {
                    subscribed = true;
                    synchronized (lock) {
                        backoff = minBackoff;
                    }
                    first.complete(null);
                    emit(new SubscriptionEvent.Subscribed(resumed));
                }
                case "message" -> {
                    if (f.message().isPresent()) {
                        Message m = f.message().get();
                        if (group.isEmpty()) {
                            Long last = lastQueued.get(m.topic());
                            if (last != null && m.offset() <= last) {
                                return true; // a replay of what this subscription has already queued
                            }
                            lastQueued.put(m.topic(), m.offset());
                        }
                        queue.add(new Item(this, m));
                        return queue.size() < capacity;
                    }
                }
                case "acked", "nacked", "extended" -> {
                    String receipt = f.field("receipt").orElse("");
                    boolean stale = f.field("stale").map(Boolean::parseBoolean).orElse(false);
                    Pending p = take(receipt);
                    if (p != null) {
                        p.result.complete(stale ? new Settled(0, List.of(receipt)) : new Settled(1, List.of()));
                    }
                }
                case "topic-deleted" -> {
                    String t = f.field("topic").orElse(topic);
                    lastQueued.remove(t);
                    emit(new SubscriptionEvent.TopicDeleted(t));
                }
                case "error" -> {
                    BrokerRefusedException e = new BrokerRefusedException(f.field("code").orElse("unknown"), 0,
                            f.field("message").orElse(""), Optional.empty());
                    if (!subscribed) {
                        if (!first.isDone()) {
                            first.completeExceptionally(e);
                        } else {
                            emit(new SubscriptionEvent.Refused(e));
                            lost("the broker refused to subscribe again: " + e.getMessage(), Optional.empty());
                        }
                    } else {
                        Pending p;
                        synchronized (this) {
                            p = settles.poll();
                        }
                        if (p != null) {
                            p.result.completeExceptionally(e);
                        } else {
                            emit(new SubscriptionEvent.Refused(e));
                        }
                    }
                }
                default -> {
                    // unsubscribed, and frame types of later brokers: nothing to do
                }
            }
            return true;
        }

        synchronized WebSocket webSocket() {
            return ws;
        }

        private synchronized Pending take(String receipt) {
            for (Iterator<Pending> it = settles.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.receipt.equals(receipt)) {
                    it.remove();
                    return p;
                }
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost("closed by the broker: " + statusCode + (reason.isEmpty() ? "" : " " + reason), Optional.empty());
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(describe(error), Optional.empty());
        }

        /** lost ends this connection once, and has the next one made unless the subscription is closed. */
        void lost(String reason, Optional<BrokerRefusedException> refused) {
            List<Pending> unanswered;
            synchronized (this) {
                if (gone) {
                    return;
                }
                gone = true;
                unanswered = List.copyOf(settles);
                settles.clear();
                if (ws != null) {
                    ws.abort();
                }
            }
            for (Pending p : unanswered) {
                p.result.completeExceptionally(new BrokerUnavailableException(
                        "the connection closed before the broker answered; the message's lease went back to its group", null));
            }
            if (group.isPresent()) {
                queue.removeIf(i -> i.conn == this);
            }
            if (!first.isDone()) {
                first.completeExceptionally(refused.<RuntimeException>map(r -> r)
                        .orElseGet(() -> new BrokerUnavailableException("could not subscribe at " + wsAddress() + ": " + reason, null)));
                return;
            }
            refused.ifPresent(r -> emit(new SubscriptionEvent.Refused(r)));
            Duration wait;
            synchronized (lock) {
                if (closed || current != this) {
                    return;
                }
                wait = jitter(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
            emit(new SubscriptionEvent.Disconnected(reason, wait));
            timer.schedule(() -> connect(true), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** jitter spreads reconnects of many clients: 75 % to 100 % of the backoff. */
    private static Duration jitter(Duration d) {
        long ms = d.toMillis();
        return Duration.ofMillis(ms - ThreadLocalRandom.current().nextLong(ms / 4 + 1));
    }

    @Override
    public void close() {
        Conn c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
        }
        queue.clear();
        worker.interrupt();
        if (c != null) {
            WebSocket ws = c.webSocket();
            if (ws != null && !c.gone) {
                try {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // closed already, or the broker is gone: abort below
                }
            }
            c.lost("closed by the client", Optional.empty());
        }
        if (Thread.currentThread() != worker) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
