package dev.broker.metrics.prometheus.internal;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * MetricsHandler answers {@code GET /metrics} (and {@code HEAD}) with a scrape of the registry: the
 * Prometheus text format 0.0.4 by default, OpenMetrics 1.0 when {@code Accept} asks for
 * {@code application/openmetrics-text}. The format is picked by client_java's
 * {@link ExpositionFormats}, falling back to the text format where it would pick one whose library
 * is not installed (protobuf). Other methods get a 405 problem. Thread-safe: each request scrapes
 * anew; a scrape blocks briefly on the topics it reads, so Jetty calls it on a pool thread.
 */
final class MetricsHandler extends Handler.Abstract {
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private volatile int lastSize = 16 * 1024;

    MetricsHandler(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        boolean head = HttpMethod.HEAD.is(method);
        if (!head && !HttpMethod.GET.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            Response.writeError(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405,
                    "/metrics answers GET and HEAD only");
            return true;
        }
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter();
        }
        EscapingScheme escaping = EscapingScheme.fromAcceptHeader(accept);
        ByteArrayOutputStream body = new ByteArrayOutputStream(lastSize + 1024);
        writer.write(body, registry.scrape(), escaping);
        lastSize = body.size();

        // Name the escaping only to a scraper that negotiates it; the plain content types stay as
        // every Prometheus version knows them.
        String contentType = accept != null && accept.contains("escaping=")
                ? writer.getContentType() + escaping.toHeaderFormat() : writer.getContentType();
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.size());
        if (head) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body.toByteArray()), callback);
        }
        return true;
    }
}
