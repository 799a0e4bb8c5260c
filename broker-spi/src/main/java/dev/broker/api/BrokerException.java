package dev.broker.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * BrokerException is a refusal the client can act on: a stable {@link ErrorCode} and a detail
 * written for a person. Transports turn it into a problem+json response or an error frame; it never
 * carries a stack trace to a client.
 */
public class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Duration retryAfter;

    /** Creates a refusal with a code and a detail. */
    public BrokerException(ErrorCode code, String detail) {
        this(code, detail, null, null);
    }

    /** Creates a refusal the client may retry after a while (such as {@link ErrorCode#TOPIC_FULL}). */
    public BrokerException(ErrorCode code, String detail, Duration retryAfter) {
        this(code, detail, retryAfter, null);
    }

    /** Creates a refusal caused by another exception, which is logged, never shown to a client. */
    public BrokerException(ErrorCode code, String detail, Duration retryAfter, Throwable cause) {
        super(detail, cause, false, cause != null);
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfter = retryAfter;
    }

    /** code is the stable error code. */
    public ErrorCode code() {
        return code;
    }

    /** detail is the human-readable explanation. */
    public String detail() {
        return getMessage();
    }

    /** retryAfter is how long the client should wait before trying again, where that helps. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
