package dev.broker.loadtest.internal;

import java.net.http.HttpClient;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * WsPublisher publishes over one WebSocket connection, keeping up to {@code --batch} publishes in
 * flight: each {@code publish} frame carries its sequence number as {@code messageId}, which the
 * broker echoes in its {@code published} or {@code error} answer. Sends happen on the publisher's
 * thread; answers arrive on the WebSocket client's threads.
 */
final class WsPublisher extends Publisher {
    private static final long ANSWER_WAIT_SECONDS = 30;

    private final Semaphore window;
    /** The send time of each publish not answered yet, by sequence number. */
    private final Map<Long, Long> pending = new ConcurrentHashMap<>();
    private final String framePrefix;
    private volatile WsConnection connection;
    private volatile String closedBecause;

    WsPublisher(Arguments arguments, Accounting accounting, Payload payload, Schedule schedule, int index) {
        super(arguments, accounting, payload, schedule, index);
        this.window = new Semaphore(arguments.batch());
        this.framePrefix = "{\"type\":\"publish\",\"topic\":" + Wire.quote(arguments.topic()) + ",\"messageId\":\"";
    }

    /** connect opens the connection; call before {@link #run}. */
    void connect(HttpClient client) throws SetupException {
        try {
            connection = WsConnection.open(client, arguments.webSocket(), this::onFrame, this::onClosed).join();
        } catch (CompletionException e) {
            throw new SetupException("cannot open a WebSocket to " + arguments.webSocket() + ": " + e.getCause());
        }
    }

    @Override
    int unit() {
        return 1;
    }

    @Override
    void send(long first, int n, long dueNanos) throws InterruptedException {
        window.acquire();
        long sent = sendTime(dueNanos);
        if (closedBecause != null) {
            accounting.failed(first, n, closedBecause);
            window.release();
            return;
        }
        StringBuilder frame = new StringBuilder(arguments.size() + framePrefix.length() + 40);
        frame.append(framePrefix).append(first).append("\",\"data\":");
        payload.append(frame, first, sent);
        frame.append('}');
        pending.put(first, sent);
        accounting.request(sent);
        connection.send(frame.toString()).whenComplete((r, failure) -> {
            if (failure != null) {
                unanswered(first, closedBecause != null ? closedBecause : "WebSocket send failed");
            }
        });
        if (closedBecause != null) {
            unanswered(first, closedBecause);
        }
    }

    /** unanswered fails a publish that will get no answer, unless its answer came after all. */
    private void unanswered(long seq, String why) {
        if (pending.remove(seq) != null) {
            accounting.failed(seq, 1, why);
            window.release();
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
        window.release();
    }

    private void onClosed(int code, String reason) {
        closedBecause = "WebSocket closed " + code + (reason == null || reason.isEmpty() ? "" : " " + reason);
        for (Long seq : pending.keySet()) {
            unanswered(seq, closedBecause);
        }
    }

    @Override
    void finish() throws InterruptedException {
        // Wait for every answer (all permits back), then close.
        if (window.tryAcquire(arguments.batch(), ANSWER_WAIT_SECONDS, TimeUnit.SECONDS)) {
            window.release(arguments.batch());
        }
        for (Long seq : pending.keySet()) {
            unanswered(seq, "no publish answer within " + ANSWER_WAIT_SECONDS + " s");
        }
        connection.close();
    }

    private static Optional<Long> number(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
