package dev.broker.transport.websocket.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Connections is the set of open WebSocket connections, for pings and counts. Thread-safe. */
final class Connections {
    static final String TRANSPORT = "websocket";
    private final dev.broker.spi.BrokerObserver observer;

    Connections(dev.broker.spi.BrokerObserver observer) {
        this.observer = observer;
    }

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong slowConsumerDisconnects = new AtomicLong();

    void add(Connection c) {
        open.add(c);
        observer.connectionOpened(TRANSPORT);
    }

    void remove(Connection c) {
        if (open.remove(c)) {
            observer.connectionClosed(TRANSPORT);
        }
    }

    void pingAll() {
        open.forEach(Connection::ping);
    }

    void closeAll() {
        open.forEach(c -> c.close(org.eclipse.jetty.websocket.core.CloseStatus.SHUTDOWN, "the broker is stopping"));
    }

    int size() {
        return open.size();
    }

    void slowConsumerDisconnected() {
        slowConsumerDisconnects.incrementAndGet();
        observer.slowConsumerDisconnected(TRANSPORT);
    }

    long slowConsumerDisconnects() {
        return slowConsumerDisconnects.get();
    }
}
