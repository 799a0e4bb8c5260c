package dev.broker.web.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * BodyRateHandler makes a request body come at a useful pace: it must be in within
 * {@value #GRACE_SECONDS} s plus one second per {@value #MIN_RATE} bytes that have arrived, or the
 * next read of it fails, and the plugin reading it answers 400. A client that trickles a body a
 * byte at a time, each byte inside the idle timeout, so no longer keeps its request open
 * (docs/limits.md). The pace is counted from this request's own bytes. Requests without a body
 * pass untouched. Stateless; the wrapper is confined to the request.
 */
public final class BodyRateHandler extends Handler.Wrapper {
    /** GRACE_SECONDS is how long any body may take, however small. */
    static final long GRACE_SECONDS = 10;
    /** MIN_RATE is the pace, in bytes a second, that earns a body more time past the grace. */
    static final long MIN_RATE = 1024;

    public BodyRateHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        boolean hasBody = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
                || request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > 0;
        return super.handle(hasBody ? new Paced(request) : request, response, callback);
    }

    /** Paced counts the bytes of one request's body and fails a read past its deadline. */
    private static final class Paced extends Request.Wrapper {
        private final long start = System.nanoTime();
        private long bytes;
        private Content.Chunk failure;

        Paced(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            if (failure == null && late()) {
                failure = Content.Chunk.from(new TimeoutException("the body came slower than " + MIN_RATE
                        + " bytes a second after " + GRACE_SECONDS + " s"), true);
            }
            if (failure != null) {
                return failure;
            }
            Content.Chunk chunk = super.read();
            if (chunk != null && !Content.Chunk.isFailure(chunk)) {
                bytes += chunk.remaining();
            }
            return chunk;
        }

        private boolean late() {
            long allowed = TimeUnit.SECONDS.toNanos(GRACE_SECONDS) + TimeUnit.SECONDS.toNanos(1) * bytes / MIN_RATE;
            return System.nanoTime() - start > allowed;
        }
    }
}
