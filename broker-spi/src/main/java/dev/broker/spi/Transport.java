package dev.broker.spi;

import java.net.URI;
import java.util.List;

/**
 * Transport is a running way for clients to reach the broker. Its methods are called from the
 * broker's start-up and shut-down thread only.
 */
public interface Transport extends AutoCloseable {
    /**
     * start makes the transport take clients. Called once.
     *
     * @throws Exception if it cannot start (a busy port, say); start-up then stops with its message
     */
    void start() throws Exception;

    /** endpoints are the addresses clients use, known once {@link #start} returned. */
    List<URI> endpoints();

    /** close stops taking clients and ends open connections. Repeat calls do nothing. */
    @Override
    void close();
}
