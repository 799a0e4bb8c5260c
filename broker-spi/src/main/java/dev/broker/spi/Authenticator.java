package dev.broker.spi;

/**
 * Authenticator turns a client's bearer token into a {@link Principal}. Made once per broker by an
 * {@link AuthProvider}; thread-safe, called on the web server's threads for every request and
 * WebSocket upgrade, so it must not block on I/O (a credentials file is re-read on its own thread).
 */
public interface Authenticator extends AutoCloseable {
    /**
     * authenticate checks a token.
     *
     * @return who the token stands for, with its rights
     * @throws dev.broker.api.BrokerException with {@link dev.broker.api.ErrorCode#UNAUTHORIZED} if the token is
     *         unknown, malformed, not yet valid or expired; the message says which, never the token
     */
    Principal authenticate(String token);

    /** description says in a few words what is accepted, for the start-up line (never a secret). */
    String description();

    /** close stops what the authenticator runs in the background. */
    @Override
    default void close() {
    }
}
