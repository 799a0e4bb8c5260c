package dev.broker.transport.http.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.web.json.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ProblemMappers answer every exception with problem+json, and never with a stack trace. */
final class ProblemMappers {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemMappers.class);

    private ProblemMappers() {
    }

    /** Broker maps the broker's refusals. */
    public static final class Broker implements ExceptionMapper<BrokerException> {
        @Override
        public Response toResponse(BrokerException e) {
            return Problems.of(e);
        }
    }

    /** Web maps Jersey's own errors: unknown path, wrong method, unsupported or unacceptable type. */
    public static final class Web implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            ErrorCode code = switch (status) {
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                case 406 -> ErrorCode.NOT_ACCEPTABLE;
                case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
                default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_PARAMETER;
            };
            String detail = switch (code) {
                case NOT_FOUND -> "no such path";
                case METHOD_NOT_ALLOWED -> "this path does not take that method; it takes "
                        + e.getResponse().getAllowedMethods();
                case NOT_ACCEPTABLE -> "the broker answers with application/json";
                case UNSUPPORTED_MEDIA_TYPE -> "send the body as application/json";
                default -> status >= 500 ? "the request failed" : String.valueOf(e.getMessage());
            };
            if (status >= 500) {
                LOG.error("request failed", e);
            }
            Response.ResponseBuilder r = Response.status(status).type(Problem.MEDIA_TYPE).entity(Problem.json(code, status, detail));
            if (status == 405) {
                r.allow(e.getResponse().getAllowedMethods());
            }
            return r.build();
        }
    }

    /** Unexpected maps anything else to 500 internal-error and logs it. */
    public static final class Unexpected implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            if (e instanceof CompletionException c && c.getCause() instanceof BrokerException b) {
                return Problems.of(b);
            }
            // A body that cannot be read (a malformed chunked encoding, a body shorter than its
            // Content-Length) is the client's fault: 400, not 500 (found by HttpFuzzTest).
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof org.eclipse.jetty.http.BadMessageException || t instanceof java.io.IOException) {
                    String why = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
                    return Problems.of(new BrokerException(ErrorCode.INVALID_JSON, "the body could not be read: " + why));
                }
            }
            LOG.error("request failed", e);
            return Response.status(500).type(Problem.MEDIA_TYPE)
                    .entity(Problem.json(ErrorCode.INTERNAL_ERROR, 500, "the broker failed to handle the request; see its log"))
                    .build();
        }
    }
}
