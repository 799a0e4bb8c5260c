package dev.broker.loadtest.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;

/**
 * Answer is a response listener that keeps the body of one answer, up to a bound, in a byte array
 * that grows with what arrives. Jetty's own buffering listener sets aside its whole bound for
 * every answer, which made a publish cost the tool more than the broker (docs/load-test.md); a
 * publish is answered in about a hundred bytes. An answer over the bound fails the exchange.
 * {@link #answered} is called once, on the client's thread, with the outcome. Confined to the
 * client's thread that handles the exchange.
 */
abstract class Answer implements Response.Listener {
    private final int max;
    private byte[] body = new byte[256];
    private int length;

    Answer(int max) {
        this.max = max;
    }

    @Override
    public final void onContent(Response response, ByteBuffer content) {
        int n = content.remaining();
        if (length + n > max) {
            response.abort(new IllegalStateException("answer larger than " + max + " bytes"));
            return;
        }
        if (length + n > body.length) {
            body = Arrays.copyOf(body, Math.min(max, Math.max(length + n, 2 * body.length)));
        }
        content.get(body, length, n);
        length += n;
    }

    @Override
    public final void onComplete(Result result) {
        answered(result);
    }

    /** text is the body received, as UTF-8. */
    final String text() {
        return new String(body, 0, length, StandardCharsets.UTF_8);
    }

    /** answered handles the exchange's outcome: {@code result} says whether it failed, and with what status. */
    abstract void answered(Result result);
}
