package dev.broker.loadtest.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * HttpPublisher publishes with one HTTP request at a time: {@code POST /publish/{topic}} for
 * {@code --batch 1}, else {@code POST /publish/batch/{topic}} with up to {@code --batch} messages.
 * Confined to its thread; the HTTP client is shared.
 */
final class HttpPublisher extends Publisher {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final URI target;

    HttpPublisher(Arguments arguments, Accounting accounting, Payload payload, Schedule schedule, int index, HttpClient client) {
        super(arguments, accounting, payload, schedule, index);
        this.client = client;
        this.target = arguments.http((arguments.batch() == 1 ? "publish/" : "publish/batch/") + arguments.topic());
    }

    @Override
    int unit() {
        return arguments.batch();
    }

    @Override
    void send(long first, int n, long dueNanos) throws InterruptedException {
        long sent = sendTime(dueNanos);
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
        HttpRequest request = HttpRequest.newBuilder(target).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        accounting.request(sent);
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            long answered = System.nanoTime();
            if (response.statusCode() / 100 == 2) {
                accounting.confirmed(first, n, sent, answered);
            } else {
                accounting.failed(first, n, Wire.problem(response.statusCode(), response.body()));
            }
        } catch (HttpTimeoutException e) {
            accounting.failed(first, n, "publish timed out after " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            accounting.failed(first, n, "publish " + e.getClass().getSimpleName());
        }
    }
}
