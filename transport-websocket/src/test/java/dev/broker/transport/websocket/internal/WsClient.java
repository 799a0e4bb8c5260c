package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * WsClient is one connection to {@code /ws} through the JDK's WebSocket client: it queues every
 * text frame it receives, parsed, and records how the connection closed. By default it reads
 * every frame at once; {@link #connectStoppingAfter} makes a client that stops reading (the JDK
 * client reads only as much as its listener asks for), so the server's frames pile up.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    /** DEADLINE is how long a test waits for something it expects. */
    static final long DEADLINE_SECONDS = 10;

    /** Closed is how a connection ended: the close code and reason, or -1 and the error. */
    record Closed(int code, String reason) {
    }

    final BlockingQueue<Map<String, Object>> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final Predicate<Map<String, Object>> stopAfter;
    private volatile boolean reading = true;
    private final long deadlineSeconds;
    final WebSocket socket;

    private WsClient(URI uri, Predicate<Map<String, Object>> stopAfter, long deadlineSeconds) {
        this.stopAfter = stopAfter;
        this.deadlineSeconds = deadlineSeconds;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this)
                .orTimeout(DEADLINE_SECONDS, TimeUnit.SECONDS).join();
    }

    /** connect opens a connection that reads every frame. */
    static WsClient connect(URI uri) {
        return new WsClient(uri, f -> false, DEADLINE_SECONDS);
    }

    /** connect opens a connection that reads every frame and waits up to {@code deadlineSeconds} for each. */
    static WsClient connect(URI uri, long deadlineSeconds) {
        return new WsClient(uri, f -> false, deadlineSeconds);
    }

    /** connectStoppingAfter opens a connection that stops reading after the first frame that matches. */
    static WsClient connectStoppingAfter(URI uri, Predicate<Map<String, Object>> stopAfter) {
        return new WsClient(uri, stopAfter, DEADLINE_SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            Map<String, Object> frame = Json.parseObject(partial.toString());
            partial.setLength(0);
            frames.add(frame);
            if (reading && stopAfter.test(frame)) {
                reading = false;
            }
        }
        if (reading) {
            w.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
    }

    /** resume reads again, everything the server sent and sends. */
    void resume() {
        reading = true;
        socket.request(Long.MAX_VALUE);
    }

    /** send sends one text frame and waits until it is handed to the network. */
    synchronized void send(String json) {
        socket.sendText(json, true).orTimeout(DEADLINE_SECONDS, TimeUnit.SECONDS).join();
    }

    /** send sends a frame made of {@code key, value...} pairs (see {@link Json#object}). */
    void send(Object... keysAndValues) {
        send(Json.object(keysAndValues));
    }

    /** next is the next frame, waiting up to the deadline. */
    Map<String, Object> next() {
        try {
            Map<String, Object> f = frames.poll(deadlineSeconds, TimeUnit.SECONDS);
            assertNotNull(f, "no frame arrived within " + deadlineSeconds + " s"
                    + (closed.isDone() ? "; the connection closed: " + closed.getNow(null) : ""));
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** next is the next frame, which must be of the given type. */
    Map<String, Object> next(String type) {
        Map<String, Object> f = next();
        assertEquals(type, f.get("type"), () -> "expected a '" + type + "' frame, got " + f);
        return f;
    }

    /** messages are the next {@code n} frames, each a message. */
    List<Map<String, Object>> messages(int n) {
        List<Map<String, Object>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next("message"));
        }
        return out;
    }

    /** awaitClose waits for the connection to close and says how. */
    Closed awaitClose() {
        try {
            return closed.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail("the connection did not close within " + DEADLINE_SECONDS + " s");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** close ends the connection politely and waits for the server's answer. */
    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                closed.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The test is over; drop the connection below.
            }
        }
        socket.abort();
    }

    @Override
    public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
        if (reading) {
            w.request(1);
        }
        return null;
    }
}
