package dev.broker.transport.http.internal;

import dev.broker.api.ErrorCode;
import dev.broker.web.json.Problem;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * ValidTargetHandler answers 400 {@code invalid-parameter} to a request whose target is not a
 * valid URI (a malformed {@code %} escape in the query, say) before Jersey sees it: Jersey builds
 * a {@code java.net.URI} of every request and answered such a one with a 500, or not at all when
 * it had a body (found by HttpFuzzTest). Stateless; runs on the receiving thread and does not block.
 */
final class ValidTargetHandler extends Handler.Wrapper {
    ValidTargetHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        try {
            new URI(request.getHttpURI().asString());
        } catch (URISyntaxException e) {
            response.setStatus(400);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
            response.write(true, ByteBuffer.wrap(Problem.json(ErrorCode.INVALID_PARAMETER, 400,
                    "the request's address is not a valid URI: " + e.getReason())), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
