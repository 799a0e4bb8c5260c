package dev.broker.loadtest.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HttpConsumer is a member of the consumer group over HTTP: on its own thread it long-polls
 * {@code GET /consume/{topic}/batch} for up to 1000 messages at a time and, with
 * {@code --ack manual}, acks each batch's receipts with one {@code POST /ack/{topic}}.
 */
final class HttpConsumer implements Receiver, Runnable {
    /** WAIT is how long one poll waits for messages: also how long {@link #stop} may take. */
    static final String WAIT = "1s";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Arguments arguments;
    private final Accounting accounting;
    private final Payload payload;
    private final HttpClient client;
    private final URI poll;
    private final URI ack;
    private final Thread thread;
    private volatile boolean stopped;

    HttpConsumer(Arguments arguments, Accounting accounting, Payload payload, HttpClient client, int index) {
        this.arguments = arguments;
        this.accounting = accounting;
        this.payload = payload;
        this.client = client;
        this.poll = arguments.http("consume/" + arguments.topic() + "/batch?group=" + arguments.group() + "&limit="
                + Arguments.MAX_BATCH + "&wait=" + WAIT + "&ack=" + arguments.ack().wire());
        this.ack = arguments.http("ack/" + arguments.topic() + "?group=" + arguments.group());
        this.thread = new Thread(this, "http-consumer-" + index);
        thread.setDaemon(true);
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        HttpRequest request = HttpRequest.newBuilder(poll).timeout(TIMEOUT).GET().build();
        while (!stopped) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                long now = System.nanoTime();
                if (stopped) {
                    return;
                }
                if (response.statusCode() != 200) {
                    accounting.error("consume " + Wire.problem(response.statusCode(), response.body()));
                    Thread.sleep(100);
                    continue;
                }
                Payload.Scan scan = payload.scan(response.body());
                List<String> receipts = new ArrayList<>();
                for (Payload.Delivery d : scan.deliveries()) {
                    accounting.delivered(d.seq(), d.sentNanos(), now, d.retryCount());
                    d.receipt().ifPresent(receipts::add);
                }
                accounting.others(scan.others());
                if (arguments.ack() == Arguments.Ack.MANUAL && !receipts.isEmpty()) {
                    ack(receipts);
                }
            } catch (IOException e) {
                if (!stopped) {
                    accounting.error("consume " + e.getClass().getSimpleName());
                    pause();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void ack(List<String> receipts) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder("{\"receipts\":[");
        for (int i = 0; i < receipts.size(); i++) {
            body.append(i > 0 ? "," : "").append(Wire.quote(receipts.get(i)));
        }
        body.append("]}");
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(ack).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            accounting.error("ack " + Wire.problem(response.statusCode(), response.body()));
        } else if (!response.body().contains("\"stale\":[]")) {
            accounting.error("ack with stale receipts");
        }
    }

    private void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            stopped = true;
        }
    }

    @Override
    public void stop() throws InterruptedException {
        stopped = true;
        // The poll in flight ends within WAIT; what it brings is no longer counted.
        thread.join(5_000);
        thread.interrupt();
    }
}
