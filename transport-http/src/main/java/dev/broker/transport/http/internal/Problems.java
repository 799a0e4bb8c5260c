package dev.broker.transport.http.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.web.json.Problem;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/** Problems turns refusals into problem+json responses with the HTTP status of their code. Stateless. */
final class Problems {
    private Problems() {
    }

    /** status is the HTTP status of an error code. */
    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_TOPIC, RESERVED_TOPIC, INVALID_GROUP, INVALID_JSON, INVALID_PARAMETER, INVALID_HEADER,
                 NOT_SUBSCRIBED, INVALID_FRAME -> 400;
            case TOPIC_NOT_FOUND, GROUP_NOT_FOUND, NOT_FOUND -> 404;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case GROUP_CONFLICT -> 409;
            case METHOD_NOT_ALLOWED -> 405;
            case NOT_ACCEPTABLE -> 406;
            case MESSAGE_TOO_LARGE, BATCH_TOO_LARGE, REQUEST_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case TOPIC_FULL, LIMIT_EXCEEDED -> 429;
            case INTERNAL_ERROR -> 500;
            case NOT_IMPLEMENTED -> 501;
            case STORE_UNAVAILABLE, SHUTTING_DOWN -> 503;
        };
    }

    /** of answers a refusal. */
    static Response of(BrokerException e) {
        int status = status(e.code());
        Response.ResponseBuilder r = Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.json(e.code(), status, e.detail()));
        e.retryAfter().ifPresent(d -> r.header(HttpHeaders.RETRY_AFTER, Math.max(1, (d.toMillis() + 999) / 1000)));
        return r.build();
    }
}
