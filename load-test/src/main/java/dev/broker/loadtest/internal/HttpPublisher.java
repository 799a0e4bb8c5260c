package dev.broker.loadtest.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * HttpPublisher publishes with one HTTP request in flight, as one wrk connection does:
 * {@code POST /publish/{topic}} for {@code --batch 1}, else {@code POST /publish/batch/{topic}}
 * with up to {@code --batch} messages. The request goes out on the client's pool and the answer is
 * handled on it; then the next request is sent. Thread-safe.
 */
final class HttpPublisher extends Publisher {
    static final long TIMEOUT_SECONDS = 30;
    /** An answer to a publish is a few hundred bytes; a larger one is not the broker's. */
    private static final int MAX_ANSWER = 64 << 10;

    private final URI target;

    HttpPublisher(Arguments arguments, Accounting accounting, Payload payload, Schedule schedule, int index, Clients clients) {
        super(arguments, accounting, payload, schedule, index, clients);
        this.target = arguments.http((arguments.batch() == 1 ? "publish/" : "publish/batch/") + arguments.topic());
    }

    @Override
    int slots() {
        return 1;
    }

    @Override
    int unit() {
        return arguments.batch();
    }

    @Override
    void send(long first, int n, long dueNanos, boolean timed) {
        long sent = sendTime(dueNanos, timed);
        StringBuilder body = new StringBuilder((arguments.size() + 8) * n + 2);
        if (arguments.batch() == 1) {
            payload.append(body, first, sent);
        } else {
            body.append('[');
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    body.append(',');
                }
                payload.append(body, first + i, sent);
            }
            body.append(']');
        }
        accounting.request(sent);
        clients.http().newRequest(target).method(HttpMethod.POST).timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .body(new StringRequestContent("application/json", body.toString(), StandardCharsets.UTF_8))
                .send(new Answer(MAX_ANSWER) {
                    @Override
                    void answered(Result result) {
                        long answered = System.nanoTime();
                        if (result.isSucceeded() && result.getResponse().getStatus() / 100 == 2) {
                            accounting.confirmed(first, n, sent, answered);
                        } else if (result.isSucceeded()) {
                            accounting.failed(first, n, Wire.problem(result.getResponse().getStatus(), text()));
                        } else {
                            Throwable failure = result.getFailure();
                            accounting.failed(first, n, failure instanceof TimeoutException
                                    ? "publish timed out after " + TIMEOUT_SECONDS + " s"
                                    : "publish " + failure.getClass().getSimpleName());
                        }
                        // A failure may be reported on the sending thread: go on from the pool.
                        if (result.isSucceeded()) {
                            next();
                        } else {
                            clients.execute(HttpPublisher.this::next);
                        }
                    }
                });
    }

    @Override
    void abandon(String why) {
        // A request in flight ends by its own timeout, within TIMEOUT_SECONDS.
    }
}
