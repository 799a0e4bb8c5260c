package dev.broker.web.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;

/**
 * HeaderDeadline closes an HTTP connection that keeps sending bytes but finishes no request: one
 * whose bytes since its last request began come slower than {@value #MIN_RATE} bytes a second for
 * more than {@value #GRACE_SECONDS} s. That is a client trickling the headers of a request (which
 * arrive before any handler runs) or its body, each byte inside the idle timeout. A connection that
 * sends nothing (a long poll, an idle keep-alive) is left to the idle timeout; WebSocket connections
 * are not looked at. See docs/limits.md.
 *
 * <p>Threads: Jetty calls {@link #onOpened} and {@link #onClosed} on its own threads; the check runs
 * once a second on {@code broker-web-deadlines}, which only reads the connections' counters and
 * closes endpoints.
 */
public final class HeaderDeadline implements Connection.Listener, AutoCloseable {
    /** Longer than a body's grace (BodyRateHandler), so a trickled body is answered 400 before its connection is cut. */
    static final long GRACE_SECONDS = 15;
    static final long MIN_RATE = 1024;
    /** Jetty's HTTP/1.1 connection class, by name: the package it is in is not exported. */
    private static final String HTTP_CONNECTION = "org.eclipse.jetty.server.internal.HttpConnection";

    /** Since is where a connection's current request began: its request count, bytes and time then. */
    private record Since(long messages, long bytes, long nanos) {
    }

    private final Map<Connection, Since> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-web-deadlines");
        t.setDaemon(true);
        return t;
    });

    public HeaderDeadline() {
        timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection.getClass().getName().equals(HTTP_CONNECTION)) {
            open.put(connection, new Since(connection.getMessagesIn(), connection.getBytesIn(), System.nanoTime()));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    private void check() {
        long now = System.nanoTime();
        open.replaceAll((c, since) -> {
            long messages = c.getMessagesIn();
            long bytes = c.getBytesIn();
            if (messages != since.messages()) {
                return new Since(messages, bytes, now); // a request began: count from here
            }
            long elapsed = now - since.nanos();
            long sent = bytes - since.bytes();
            if (sent > 0 && elapsed > TimeUnit.SECONDS.toNanos(GRACE_SECONDS)
                    && sent * TimeUnit.SECONDS.toNanos(1) < MIN_RATE * elapsed) {
                c.getEndPoint().close();
            }
            return since;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
