package dev.broker.client;

/**
 * BrokerException is every failure the client reports: either the broker refused a request
 * ({@link BrokerRefusedException}, with its stable {@link ErrorCode}) or it could not be reached
 * or the connection was lost ({@link BrokerUnavailableException}).
 */
public abstract sealed class BrokerException extends RuntimeException
        permits BrokerRefusedException, BrokerUnavailableException {
    private static final long serialVersionUID = 1L;

    BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
