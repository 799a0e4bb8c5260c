package dev.broker.client;

/**
 * BrokerUnavailableException says the broker could not be reached, did not answer in time, or
 * closed the connection before it answered. Whether a publish that failed this way was stored is
 * unknown: publishing it again may store it twice (docs/client.md).
 */
public final class BrokerUnavailableException extends BrokerException {
    private static final long serialVersionUID = 1L;

    /** BrokerUnavailableException says what could not be done and why. */
    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
