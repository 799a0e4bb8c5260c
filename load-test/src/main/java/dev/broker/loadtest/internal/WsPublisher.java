package dev.broker.loadtest.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.Callback;

/**
 * WsPublisher publishes over one WebSocket connection with up to {@code --batch} publishes in
 * flight: each {@code publish} frame carries its sequence number as {@code messageId} (after a
 * prefix of the run's own, since the broker takes a messageId as the publish's idempotency key for
 * DEDUP_WINDOW: two runs within it must not share ids), which the broker echoes in its
 * {@code published} or {@code error} answer, and each answer frees a slot for
 * the next publish. Frames are sent and answers handled on the client's threads. Thread-safe.
 */
final class WsPublisher extends Publisher {
    /** The send time of each publish not answered yet, by sequence number; each holds one slot. */
    private final Map<Long, Long> pending = new ConcurrentHashMap<>();
    /** RUN starts every messageId of this run: a random token and a dash. */
    private static final String RUN = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 36) + "-";
    private final String framePrefix;
    private volatile WsConnection connection;
    private volatile String closedBecause;

    WsPublisher(Arguments arguments, Accounting accounting, Payload payload, Schedule schedule, int index, Clients clients) {
        super(arguments, accounting, payload, schedule, index, clients);
        this.framePrefix = "{\"type\":\"publish\",\"topic\":" + Wire.quote(arguments.topic()) + ",\"messageId\":\"" + RUN;
    }

    /** connect opens the connection; call before {@link #start}. */
    void connect() throws SetupException {
        try {
            connection = WsConnection.open(clients, arguments.webSocket(), this::onFrame, this::onClosed).join();
        } catch (CompletionException e) {
            throw new SetupException("cannot open a WebSocket to " + arguments.webSocket() + ": " + e.getCause());
        }
    }

    @Override
    int slots() {
        return arguments.batch();
    }

    @Override
    int unit() {
        return 1;
    }

    @Override
    void send(long first, int n, long dueNanos, boolean timed) {
        long sent = sendTime(dueNanos, timed);
        String why = closedBecause;
        if (why != null) {
            accounting.failed(first, n, why);
            endSlot();
            return;
        }
        StringBuilder frame = new StringBuilder(arguments.size() + framePrefix.length() + 40);
        frame.append(framePrefix).append(first).append("\",\"data\":");
        payload.append(frame, first, sent);
        frame.append('}');
        pending.put(first, sent);
        accounting.request(sent);
        connection.send(frame.toString(), Callback.from(() -> { }, failure ->
                unanswered(first, closedBecause != null ? closedBecause : "WebSocket send failed")));
        if (closedBecause != null) {
            unanswered(first, closedBecause);
        }
    }

    /** unanswered fails a publish that will get no answer, unless its answer came after all, and ends its slot. */
    private void unanswered(long seq, String why) {
        if (pending.remove(seq) != null) {
            accounting.failed(seq, 1, why);
            endSlot();
        }
    }

    private void onFrame(String frame) {
        switch (Wire.type(frame)) {
            case "published" -> answered(frame, null);
            case "error" -> answered(frame, "WebSocket error " + Wire.string(frame, "code").orElse("?"));
            default -> {
                // a publisher subscribes to nothing: other frames are not for it
            }
        }
    }

    private void answered(String frame, String error) {
        long now = System.nanoTime();
        Long seq = Wire.string(frame, "messageId").flatMap(WsPublisher::number).orElse(null);
        Long sent = seq == null ? null : pending.remove(seq);
        if (sent == null) {
            accounting.error(error != null ? error : "WebSocket answer to no publish");
            return;
        }
        if (error == null) {
            accounting.confirmed(seq, 1, sent, now);
        } else {
            accounting.failed(seq, 1, error);
        }
        next();
    }

    private void onClosed(int code, String reason) {
        closedBecause = "WebSocket closed " + code + (reason == null || reason.isEmpty() ? "" : " " + reason);
        abandon(closedBecause);
    }

    @Override
    void abandon(String why) {
        for (Long seq : pending.keySet()) {
            unanswered(seq, why);
        }
    }

    @Override
    void close() {
        WsConnection c = connection;
        if (c != null) {
            c.close();
        }
    }

    private static Optional<Long> number(String text) {
        if (!text.startsWith(RUN)) {
            return Optional.empty();
        }
        text = text.substring(RUN.length());
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
