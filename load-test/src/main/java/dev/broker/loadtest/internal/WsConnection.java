package dev.broker.loadtest.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Utf8StringBuilder;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * WsConnection is one connection to the broker's {@code /ws} on Jetty's core WebSocket client. It
 * hands each whole text message to its handler, on the client's threads and one at a time, and
 * asks for the next frame when the handler returns. Frames may be sent from any thread at any
 * time: Jetty queues them and writes what has gathered with one write. Thread-safe.
 */
final class WsConnection implements FrameHandler {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);
    /** The largest message the tool takes: a broker frame carries one message of at most 1 MiB. */
    private static final int MAX_MESSAGE = 16 << 20;

    private final Consumer<String> onMessage;
    private final BiConsumer<Integer, String> onClosed;
    /** Confined to the thread Jetty reads on (one at a time). */
    private final Utf8StringBuilder partial = new Utf8StringBuilder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CoreSession session;

    private WsConnection(Consumer<String> onMessage, BiConsumer<Integer, String> onClosed) {
        this.onMessage = onMessage;
        this.onClosed = onClosed;
    }

    /**
     * open connects to {@code uri}. {@code onMessage} gets each text message; {@code onClosed} gets
     * the close code and reason once, when the broker closes the connection or it fails (code -1).
     */
    static CompletableFuture<WsConnection> open(Clients clients, URI uri, Consumer<String> onMessage,
                                                BiConsumer<Integer, String> onClosed) {
        WsConnection connection = new WsConnection(onMessage, onClosed);
        try {
            return clients.webSocket().connect(connection, uri).thenApply(s -> connection)
                    .orTimeout(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** send queues {@code text}; {@code done} learns when it is written, or that it never will be. */
    void send(String text, Callback done) {
        CoreSession s = session;
        if (s == null || closed.get()) {
            done.failed(new IOException("the connection is closed"));
            return;
        }
        s.sendFrame(new Frame(OpCode.TEXT, text), done, false);
    }

    /** send queues {@code text}, not minding whether it is written. */
    void send(String text) {
        send(text, Callback.NOOP);
    }

    /** close sends a close frame after the queued frames, without waiting for the broker's answer. */
    void close() {
        CoreSession s = session;
        if (closed.compareAndSet(false, true) && s != null) {
            s.close(CloseStatus.NORMAL, "load test done", Callback.NOOP);
        }
    }

    /** abort drops the connection at once. */
    void abort() {
        closed.set(true);
        CoreSession s = session;
        if (s != null) {
            s.abort();
        }
    }

    /** isOpen is true while frames can still arrive. */
    boolean isOpen() {
        CoreSession s = session;
        return s != null && s.isInputOpen() && !closed.get();
    }

    @Override
    public void onOpen(CoreSession s, Callback callback) {
        session = s;
        s.setMaxTextMessageSize(MAX_MESSAGE);
        callback.succeeded();
        s.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        CoreSession s = session;
        switch (frame.getOpCode()) {
            case OpCode.TEXT, OpCode.CONTINUATION -> {
                String message = null;
                if (frame.isFin() && partial.length() == 0) {
                    message = frame.getPayloadAsUTF8();
                } else {
                    if (frame.hasPayload()) {
                        partial.append(frame.getPayload());
                    }
                    if (frame.isFin()) {
                        message = partial.takeCompleteString(IllegalArgumentException::new);
                    }
                }
                callback.succeeded();
                if (message != null) {
                    onMessage.accept(message);
                }
                s.demand();
            }
            case OpCode.PING -> {
                ByteBuffer payload = ByteBuffer.allocate(frame.getPayloadLength());
                if (frame.hasPayload()) {
                    payload.put(frame.getPayload().slice()).flip();
                }
                callback.succeeded();
                s.sendFrame(new Frame(OpCode.PONG, payload), Callback.NOOP, false);
                s.demand();
            }
            case OpCode.CLOSE -> callback.succeeded(); // Jetty answers it and closes
            default -> {
                // pongs, and binary frames, which are not the broker's
                callback.succeeded();
                s.demand();
            }
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        if (closed.compareAndSet(false, true)) {
            onClosed.accept(-1, cause.getClass().getSimpleName());
        }
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus status, Callback callback) {
        if (closed.compareAndSet(false, true)) {
            onClosed.accept(status.getCode(), status.getReason());
        }
        callback.succeeded();
    }
}
