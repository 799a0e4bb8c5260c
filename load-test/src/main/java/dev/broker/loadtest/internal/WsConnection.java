package dev.broker.loadtest.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * WsConnection is one connection to the broker's {@code /ws} over the JDK's WebSocket client. It
 * hands each whole text frame to its frame handler, on the client's threads and one frame at a
 * time, and queues frames to send one after another, as the JDK's WebSocket wants no send to begin
 * before the last has finished. Thread-safe.
 */
final class WsConnection implements WebSocket.Listener {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

    private final Consumer<String> onFrame;
    private final BiConsumer<Integer, String> onClosed;
    private final StringBuilder partial = new StringBuilder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocket socket;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    private WsConnection(Consumer<String> onFrame, BiConsumer<Integer, String> onClosed) {
        this.onFrame = onFrame;
        this.onClosed = onClosed;
    }

    /**
     * open connects to {@code uri}. {@code onFrame} gets each text frame; {@code onClosed} gets the
     * close code and reason once, when the broker closes the connection or it fails (code -1).
     */
    static CompletableFuture<WsConnection> open(HttpClient client, URI uri, Consumer<String> onFrame,
                                                BiConsumer<Integer, String> onClosed) {
        WsConnection connection = new WsConnection(onFrame, onClosed);
        return client.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT).buildAsync(uri, connection)
                .thenApply(ws -> {
                    connection.socket = ws;
                    return connection;
                });
    }

    /** send queues {@code frame}; it goes out after every frame queued before it. */
    synchronized CompletableFuture<?> send(String frame) {
        WebSocket ws = socket;
        lastSend = lastSend.handle((r, e) -> null).thenCompose(x -> ws.sendText(frame, true));
        return lastSend;
    }

    /** close sends a close frame after the queued frames, without waiting for the broker's answer. */
    synchronized CompletableFuture<?> close() {
        closed.set(true);
        WebSocket ws = socket;
        lastSend = lastSend.handle((r, e) -> null).thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "load test done"));
        return lastSend;
    }

    /** abort drops the connection at once. */
    void abort() {
        closed.set(true);
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    /** isOpen is true while frames can still arrive. */
    boolean isOpen() {
        WebSocket ws = socket;
        return ws != null && !ws.isInputClosed() && !closed.get();
    }

    @Override
    public void onOpen(WebSocket ws) {
        socket = ws;
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        String frame;
        if (last && partial.length() == 0) {
            frame = data.toString();
        } else {
            partial.append(data);
            if (!last) {
                ws.request(1);
                return null;
            }
            frame = partial.toString();
            partial.setLength(0);
        }
        try {
            onFrame.accept(frame);
        } finally {
            ws.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        if (closed.compareAndSet(false, true)) {
            onClosed.accept(statusCode, reason);
        }
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        if (closed.compareAndSet(false, true)) {
            onClosed.accept(-1, error.getClass().getSimpleName());
        }
    }
}
