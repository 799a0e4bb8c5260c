package dev.broker.client;

import java.time.Duration;
import java.util.Optional;

/**
 * BrokerRefusedException is an answer of the broker that refuses a request: an HTTP
 * problem+json (RFC 9457) or a WebSocket {@code error} frame. {@link #code()} is typed from the
 * problem's {@code type}, so callers switch on it rather than on messages.
 */
public final class BrokerRefusedException extends BrokerException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final String codeText;
    private final int status;
    private final String detail;
    private final Duration retryAfter;

    /**
     * BrokerRefusedException is a refusal with the code's wire text, the HTTP status (0 for a
     * WebSocket error frame), the broker's detail and, for 429 and 503, how long to wait.
     */
    public BrokerRefusedException(String codeText, int status, String detail, Optional<Duration> retryAfter) {
        super(codeText + (status > 0 ? " (" + status + ")" : "") + ": " + detail, null);
        this.codeText = codeText;
        this.code = ErrorCode.of(codeText);
        this.status = status;
        this.detail = detail;
        this.retryAfter = retryAfter.orElse(null);
    }

    /** code is the refusal's stable code, {@link ErrorCode#UNKNOWN} for one this client does not know. */
    public ErrorCode code() {
        return code;
    }

    /** codeText is the code as the broker wrote it, also for codes this client does not know. */
    public String codeText() {
        return codeText;
    }

    /** status is the HTTP status, or 0 when the refusal came as a WebSocket error frame. */
    public int status() {
        return status;
    }

    /** detail is the broker's explanation, for people. */
    public String detail() {
        return detail;
    }

    /** retryAfter is the broker's {@code Retry-After}, when it gave one (429 topic-full). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
