package dev.broker.metrics.prometheus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.MessageBroker;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MetricsEndpointTest starts a broker in this JVM with this plugin, drives it through its
 * in-process API and WebSocket connections, and reads {@code GET /metrics} over real HTTP.
 */
class MetricsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";

    private static Broker broker;
    private static MessageBroker api;
    private static int port;

    @BeforeAll
    static void start() {
        broker = Broker.start(Settings.fromEnvironment(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false",
                "MAX_DELIVERIES", "2", "MAX_MESSAGE_SIZE", "1024")));
        api = broker.broker();
        port = broker.endpoints().get(0).getPort();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static HttpResponse<String> get(String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Exposition scrape() throws Exception {
        HttpResponse<String> r = get(null);
        assertEquals(200, r.statusCode(), r.body());
        return new Exposition(r.body());
    }

    /** scrapeUntil scrapes until the condition holds (reports that follow an async step), for up to 10 s. */
    private static Exposition scrapeUntil(Predicate<Exposition> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Exposition e = scrape();
        while (!condition.test(e) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            e = scrape();
        }
        return e;
    }

    private static void publish(String topic, String... data) {
        api.publish(TopicName.of(topic), java.util.Arrays.stream(data).map(NewMessage::of).toList())
                .toCompletableFuture().join();
    }

    private static List<Delivery> consume(String topic, String group, int limit, AckMode ack) {
        return api.consume(new ConsumeRequest(TopicName.of(topic), GroupName.of(group), limit, ack, Duration.ZERO))
                .toCompletableFuture().join();
    }

    @Test
    void countsPublishesAndConsumesAndReadsQueueSizeAndLag() throws Exception {
        double before = scrape().value("message_broker_processing_duration_count");
        publish("orders", "1", "2");
        publish("orders", "{\"n\":3}");
        assertEquals(2, consume("orders", "billing", 2, AckMode.AUTO).size());

        Exposition e = scrape();
        assertEquals(3, e.value("message_broker_messages_published_total", "topic", "orders"));
        assertEquals(2, e.value("message_broker_messages_consumed_total", "topic", "orders", "group", "billing"));
        assertEquals(3, e.value("message_broker_queue_size", "topic", "orders"));
        assertTrue(e.value("message_broker_queue_bytes", "topic", "orders") >= 9);
        assertEquals(1, e.value("message_broker_consumer_lag", "topic", "orders", "group", "billing"));
        assertEquals(0, e.value("message_broker_messages_in_flight", "topic", "orders", "group", "billing"));
        // One observation per publish request, of seconds from receipt to stored.
        double count = e.value("message_broker_processing_duration_count");
        assertEquals(before + 2, count);
        assertEquals(count, e.value("message_broker_processing_duration_bucket", "le", "+Inf"));
        assertTrue(e.value("message_broker_processing_duration_sum") > 0);
        assertTrue(e.value("message_broker_processing_duration_sum") < 5 * count, "the sum is in seconds");
        assertEquals(1, e.value("message_broker_healthy"));
    }

    @Test
    void nacksPastMaxDeliveriesAreDeadLetteredByReason() throws Exception {
        publish("payments", "{\"amount\":10}");
        Delivery first = consume("payments", "workers", 1, AckMode.MANUAL).get(0);
        Exposition leased = scrape();
        assertEquals(1, leased.value("message_broker_messages_in_flight", "topic", "payments", "group", "workers"));
        assertTrue(leased.value("message_broker_oldest_unacked_age_seconds", "topic", "payments", "group", "workers") >= 0);

        api.nack(TopicName.of("payments"), GroupName.of("workers"), List.of(first.receipt().orElseThrow()),
                Optional.of("bad amount"), Duration.ZERO).toCompletableFuture().join();
        Delivery second = consume("payments", "workers", 1, AckMode.MANUAL).get(0);
        assertEquals(1, second.retryCount());
        api.nack(TopicName.of("payments"), GroupName.of("workers"), List.of(second.receipt().orElseThrow()),
                Optional.of("still bad"), Duration.ZERO).toCompletableFuture().join();

        Exposition e = scrapeUntil(x -> x.find("message_broker_queue_size", "topic", "dlq.payments").orElse(0.0) == 1
                && x.find("message_broker_messages_dead_lettered_total", "topic", "payments", "group", "workers",
                        "reason", "nack").isPresent());
        assertEquals(1, e.value("message_broker_messages_dead_lettered_total", "topic", "payments", "group", "workers",
                "reason", "nack"));
        assertEquals(1, e.value("message_broker_messages_redelivered_total", "topic", "payments", "group", "workers"));
        assertEquals(1, e.value("message_broker_queue_size", "topic", "dlq.payments"));
        assertEquals(0, e.value("message_broker_messages_in_flight", "topic", "payments", "group", "workers"));
        assertEquals(0, e.value("message_broker_consumer_lag", "topic", "payments", "group", "workers"));
    }

    @Test
    void refusedPublishesAreCountedByReason() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertRefused(ErrorCode.RESERVED_TOPIC, () -> publish("dlq.orders", "1"));
        }
        assertRefused(ErrorCode.MESSAGE_TOO_LARGE, () -> publish("uploads", "\"" + "x".repeat(2000) + "\""));

        Exposition e = scrape();
        assertEquals(2, e.value("message_broker_publishes_rejected_total", "topic", "dlq.orders", "reason", "reserved-topic"));
        assertEquals(1, e.value("message_broker_publishes_rejected_total", "topic", "uploads", "reason", "message-too-large"));
    }

    private static void assertRefused(ErrorCode code, Runnable publish) {
        try {
            publish.run();
            throw new AssertionError("the publish was not refused");
        } catch (CompletionException e) {
            assertTrue(e.getCause() instanceof BrokerException b && b.code() == code, e.toString());
        } catch (BrokerException e) {
            assertEquals(code, e.code());
        }
    }

    @Test
    void connectionsAreCountedByTransport() throws Exception {
        URI ws = URI.create("ws://127.0.0.1:" + port + "/ws");
        WebSocket a = HTTP.newWebSocketBuilder().buildAsync(ws, new WebSocket.Listener() { }).join();
        WebSocket b = HTTP.newWebSocketBuilder().buildAsync(ws, new WebSocket.Listener() { }).join();
        Exposition two = scrapeUntil(x -> x.find("message_broker_active_connections", "transport", "websocket")
                .orElse(0.0) == 2);
        assertEquals(2, two.value("message_broker_active_connections", "transport", "websocket"));
        // The scrape's own connection is open while it is answered.
        assertTrue(two.value("message_broker_active_connections", "transport", "http") >= 1, two.text);

        a.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        Exposition one = scrapeUntil(x -> x.value("message_broker_active_connections", "transport", "websocket") == 1);
        assertEquals(1, one.value("message_broker_active_connections", "transport", "websocket"));
        b.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void textFormatByDefaultAndOpenMetricsWhenAcceptAsks() throws Exception {
        publish("formats", "true");
        HttpResponse<String> text = get(null);
        assertEquals(TEXT_004, text.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(text.body().contains("# TYPE message_broker_processing_duration histogram\n"), text.body());
        assertTrue(text.body().contains("\nmessage_broker_messages_published_total{topic=\"formats\"} 1.0\n"));

        HttpResponse<String> prometheus = get("application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertTrue(prometheus.headers().firstValue("Content-Type").orElseThrow()
                .startsWith("application/openmetrics-text; version=1.0.0"));
        assertTrue(prometheus.body().endsWith("# EOF\n"));
        assertTrue(prometheus.body().contains("# TYPE message_broker_messages_published counter\n"));
        assertTrue(prometheus.body().contains("\nmessage_broker_messages_published_total{topic=\"formats\"} 1.0\n"));

        HttpResponse<String> protobuf = get("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited");
        assertEquals(TEXT_004, protobuf.headers().firstValue("Content-Type").orElseThrow(),
                "protobuf is not installed: the text format is the answer");
    }

    @Test
    void jvmMetricsAreServed() throws Exception {
        Exposition e = scrape();
        for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds_count",
                "jvm_classes_currently_loaded", "process_cpu_seconds_total")) {
            assertTrue(e.has(name), name + " missing");
        }
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertTrue(post.body().contains("method-not-allowed"), post.body());
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    /** promtool (Debian package prometheus) parses and lints the real output; skipped where it is not installed. */
    @Test
    void promtoolAcceptsTheOutput() throws Exception {
        Optional<Path> promtool = Promtool.find();
        if (promtool.isEmpty()) {
            System.out.println("[skip] promtool is not installed (Debian package prometheus): /metrics was not checked with it");
            Assumptions.abort("promtool is not installed");
        }
        publish("lint.me", "1");
        consume("lint.me", "lint-group", 1, AckMode.MANUAL);
        Promtool.Result r = Promtool.checkMetrics(promtool.get(), get(null).body());
        assertEquals(0, r.exitCode(), "promtool check metrics failed:\n" + r.output());
        assertEquals("", r.output().trim(), "promtool check metrics found problems:\n" + r.output());
    }
}
