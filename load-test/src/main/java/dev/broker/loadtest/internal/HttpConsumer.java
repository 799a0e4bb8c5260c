package dev.broker.loadtest.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * HttpConsumer is a member of the consumer group over HTTP: it long-polls
 * {@code GET /consume/{topic}/batch} for up to 1000 messages at a time, one poll in flight, and
 * with {@code --ack manual} acks each batch's receipts with one {@code POST /ack/{topic}}, sent
 * beside the next poll. Polls and acks are asynchronous, on the client's threads. Thread-safe.
 */
final class HttpConsumer implements Receiver {
    /** WAIT is how long one poll waits for messages: also how long {@link #stop} may take. */
    static final String WAIT = "1s";
    private static final long TIMEOUT_SECONDS = 30;
    private static final long PAUSE_MILLIS = 100;

    private final Arguments arguments;
    private final Accounting accounting;
    private final Payload payload;
    private final Clients clients;
    private final URI poll;
    private final URI ack;
    /** The most a poll's answer may hold: --batch messages of --size bytes with their fields. */
    private final int maxAnswer;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopped;

    HttpConsumer(Arguments arguments, Accounting accounting, Payload payload, Clients clients) {
        this.arguments = arguments;
        this.accounting = accounting;
        this.payload = payload;
        this.clients = clients;
        this.poll = arguments.http("consume/" + arguments.topic() + "/batch?group=" + arguments.group() + "&limit="
                + Arguments.MAX_BATCH + "&wait=" + WAIT + "&ack=" + arguments.ack().wire());
        this.ack = arguments.http("ack/" + arguments.topic() + "?group=" + arguments.group());
        this.maxAnswer = (int) Math.min(Integer.MAX_VALUE - 8, (long) Arguments.MAX_BATCH * (2L * arguments.size() + 1024));
    }

    @Override
    public void start() {
        clients.execute(this::poll);
    }

    private void poll() {
        if (stopped) {
            ended.countDown();
            return;
        }
        clients.http().newRequest(poll).method(HttpMethod.GET).timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .send(new Answer(maxAnswer) {
                    @Override
                    void answered(Result result) {
                        long now = System.nanoTime();
                        if (stopped) {
                            ended.countDown();
                            return;
                        }
                        if (!result.isSucceeded()) {
                            accounting.error("consume " + result.getFailure().getClass().getSimpleName());
                            clients.later(HttpConsumer.this::poll, TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
                            return;
                        }
                        int status = result.getResponse().getStatus();
                        if (status != 200) {
                            accounting.error("consume " + Wire.problem(status, text()));
                            clients.later(HttpConsumer.this::poll, TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
                            return;
                        }
                        Payload.Scan scan = payload.scan(text());
                        List<String> receipts = new ArrayList<>();
                        for (Payload.Delivery d : scan.deliveries()) {
                            accounting.delivered(d.seq(), d.sentNanos(), now, d.retryCount());
                            d.receipt().ifPresent(receipts::add);
                        }
                        accounting.others(scan.others());
                        if (arguments.ack() == Arguments.Ack.MANUAL && !receipts.isEmpty()) {
                            ack(receipts);
                        }
                        poll();
                    }
                });
    }

    private void ack(List<String> receipts) {
        StringBuilder body = new StringBuilder("{\"receipts\":[");
        for (int i = 0; i < receipts.size(); i++) {
            body.append(i > 0 ? "," : "").append(Wire.quote(receipts.get(i)));
        }
        body.append("]}");
        clients.http().newRequest(ack).method(HttpMethod.POST).timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .body(new StringRequestContent("application/json", body.toString(), StandardCharsets.UTF_8))
                .send(new Answer(maxAnswer) {
                    @Override
                    void answered(Result result) {
                        if (!result.isSucceeded()) {
                            accounting.error("ack " + result.getFailure().getClass().getSimpleName());
                        } else if (result.getResponse().getStatus() != 200) {
                            accounting.error("ack " + Wire.problem(result.getResponse().getStatus(), text()));
                        } else if (!text().contains("\"stale\":[]")) {
                            accounting.error("ack with stale receipts");
                        }
                    }
                });
    }

    @Override
    public void stop() throws InterruptedException {
        stopped = true;
        // The poll in flight ends within WAIT; what it brings is no longer counted.
        ended.await(5, TimeUnit.SECONDS);
    }
}
