package dev.broker.transport.websocket.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Connections is the set of open WebSocket connections, for pings and counts. Thread-safe. */
final class Connections {
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong slowConsumerDisconnects = new AtomicLong();
    private final AtomicLong floodDisconnects = new AtomicLong();

    void add(Connection c) {
        open.add(c);
    }

    void remove(Connection c) {
        open.remove(c);
    }

    void pingAll() {
        open.forEach(Connection::ping);
    }

    void closeAll() {
        open.forEach(c -> c.close(jakarta.websocket.CloseReason.CloseCodes.GOING_AWAY, "the broker is stopping"));
    }

    int size() {
        return open.size();
    }

    void slowConsumerDisconnected() {
        slowConsumerDisconnects.incrementAndGet();
    }

    void floodDisconnected() {
        floodDisconnects.incrementAndGet();
    }

    long floodDisconnects() {
        return floodDisconnects.get();
    }

    long slowConsumerDisconnects() {
        return slowConsumerDisconnects.get();
    }
}
