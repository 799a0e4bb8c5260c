package dev.broker.web.internal;

import dev.broker.api.ErrorCode;
import dev.broker.web.json.Problem;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * ProblemErrorHandler answers errors that Jetty itself raises (an unmatched path, a malformed
 * request, a header too large) with a problem+json body instead of an HTML page, and never shows a
 * stack trace. Stateless.
 */
public final class ProblemErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int status, String message,
                                    Throwable cause, Callback callback) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.MESSAGE_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ErrorCode.SHUTTING_DOWN;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_PARAMETER;
        };
        String detail = status == 404 ? "no such path: " + request.getHttpURI().getPath()
                : message == null || status >= 500 ? "the request failed with status " + status : message;
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(Problem.json(code, status, detail)), callback);
    }
}
