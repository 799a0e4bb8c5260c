package dev.broker.web.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.spi.Principal;
import dev.broker.web.json.Problem;
import java.nio.ByteBuffer;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * AuthenticationHandler stands in front of every route while authentication is on: a request to
 * a path that is not open needs a valid token (401 {@code unauthorized} with
 * {@code WWW-Authenticate: Bearer} otherwise), and {@code /metrics} an admin token (403). It runs
 * on the thread that received the request and does not block. See docs/security.md.
 */
public final class AuthenticationHandler extends Handler.Wrapper {
    private final Predicate<String> open;
    private final BiFunction<Request, String, Principal> authenticate;

    public AuthenticationHandler(Handler routes, Predicate<String> open, BiFunction<Request, String, Principal> authenticate) {
        super(routes);
        this.open = open;
        this.authenticate = authenticate;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (open.test(path)) {
            return super.handle(request, response, callback);
        }
        Principal principal;
        try {
            principal = authenticate.apply(request, path);
        } catch (BrokerException e) {
            boolean tokenGiven = request.getHeaders().contains(HttpHeader.AUTHORIZATION)
                    || request.getHttpURI().getQuery() != null && request.getHttpURI().getQuery().contains("token=");
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE,
                    tokenGiven ? "Bearer realm=\"broker\", error=\"invalid_token\"" : "Bearer realm=\"broker\"");
            refuse(request, response, callback, 401, ErrorCode.UNAUTHORIZED, e.getMessage());
            return true;
        }
        if (path.equals("/metrics") && !principal.admin()) {
            refuse(request, response, callback, 403, ErrorCode.FORBIDDEN, "/metrics needs an admin token (or METRICS_PUBLIC=true)");
            return true;
        }
        return super.handle(request, response, callback);
    }

    /**
     * refuse answers without reading the request's body. A request that has one is answered with
     * {@code Connection: close}: the body may still be on its way, and Jetty, unable to consume it,
     * would close the connection after the answer without saying so, and a client that reuses the
     * connection (the JDK's HttpClient does) would see its next request fail with no answer.
     */
    private static void refuse(Request request, Response response, Callback callback, int status, ErrorCode code,
                               String detail) {
        if (request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(Problem.json(code, status, detail)), callback);
    }
}
