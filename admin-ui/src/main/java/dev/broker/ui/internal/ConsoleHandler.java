package dev.broker.ui.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * ConsoleHandler answers {@code /ui/*} with the console's files, read from this module's jar
 * ({@code META-INF/resources/ui/}) by Jetty's {@link ResourceHandler}, which brings content types,
 * ETags, conditional and range requests. Every answer carries a Content-Security-Policy that lets
 * the page load and connect to nothing but the broker's own origin. Thread-safe.
 */
final class ConsoleHandler extends Handler.Wrapper {
    /**
     * POLICY: scripts, styles, images and connections (fetch and {@code /ws}) from the broker's
     * origin only; no inline script or style, no plugins, no framing.
     */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'";
    /** ROOT is where the files lie in the jar; {@code /ui/x} is {@code ROOT + "x"}. */
    private static final String ROOT = "META-INF/resources/ui/";

    ConsoleHandler() {
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(files).newResource(root()));
        files.setDirAllowed(false);
        files.setWelcomeFiles("index.html");
        // /ui/ answers with index.html itself; /ui is redirected to /ui/, which relative URLs need.
        files.setWelcomeMode(ResourceService.WelcomeMode.SERVE);
        // The files change only with the jar: browsers revalidate with the ETag on each load.
        files.setCacheControl("no-cache");
        files.setEtags(true);
        // The context gives ResourceHandler its path inside /ui (PathMappingsHandler alone gives none).
        setHandler(new ContextHandler(files, Console.PATH));
    }

    private static URI root() {
        URL index = ConsoleHandler.class.getResource("/" + ROOT + "index.html");
        if (index == null) {
            throw new IllegalStateException("the admin console's files are missing from its jar (" + ROOT + ")");
        }
        String s = index.toString();
        try {
            return new URI(s.substring(0, s.length() - "index.html".length()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot address the admin console's files at " + s, e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        response.getHeaders().put("Content-Security-Policy", POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            Response.writeError(request, response, callback, 405, "/ui/ answers GET and HEAD only");
            return true;
        }
        if (super.handle(request, response, callback)) {
            return true;
        }
        Response.writeError(request, response, callback, 404, "no such file in the console: " + request.getHttpURI().getPath());
        return true;
    }
}
