package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MetricsIT reads {@code GET /metrics} of the image as Prometheus would, after clients have used
 * the broker over HTTP and WebSocket, and checks that the metrics plugin is a jar that can be
 * taken out.
 */
class MetricsIT {
    @TempDir
    Path temp;

    @Test
    void metricsCountWhatClientsDoWithTheSeedNames() throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of("MAX_DELIVERIES", "2"))) {
            URI base = broker.base();
            assertEquals(201, Http.post(base, "publish/orders", "{\"userId\":123}").statusCode());
            assertEquals(201, Http.post(base, "publish/batch/orders", "[1,2]").statusCode());
            assertEquals(200, Http.get(base, "consume/orders?group=billing").statusCode());
            assertEquals(200, Http.get(base, "consume/orders/batch?group=billing&limit=1").statusCode());

            // Two nacks with MAX_DELIVERIES=2 move the message to dlq.payments.
            assertEquals(201, Http.post(base, "publish/payments", "{\"amount\":10}").statusCode());
            for (int delivery = 0; delivery < 2; delivery++) {
                HttpResponse<String> leased = Http.get(base, "consume/payments?group=workers&ack=manual");
                assertEquals(200, leased.statusCode(), leased.body());
                String receipt = Http.receipts(leased.body()).get(0);
                HttpResponse<String> nack = Http.post(base, "nack/payments?group=workers",
                        "{\"receipts\":[\"" + receipt + "\"],\"reason\":\"bad amount\"}");
                assertEquals(200, nack.statusCode(), nack.body());
            }
            assertEquals(400, Http.post(base, "publish/dlq.payments", "1").statusCode());

            WebSocket ws = Http.CLIENT.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + base.getPort() + "/ws"), new WebSocket.Listener() { })
                    .join();
            Metrics m = scrapeUntil(base, x -> x.find("message_broker_active_connections", "transport", "websocket")
                    .orElse(0.0) == 1 && x.find("message_broker_queue_size", "topic", "dlq.payments").orElse(0.0) == 1);

            assertEquals(3, m.value("message_broker_messages_published_total", "topic", "orders"));
            assertEquals(2, m.value("message_broker_messages_consumed_total", "topic", "orders", "group", "billing"));
            assertEquals(1, m.value("message_broker_active_connections", "transport", "websocket"));
            assertTrue(m.value("message_broker_active_connections", "transport", "http") >= 1);
            assertEquals(3, m.value("message_broker_queue_size", "topic", "orders"));
            assertEquals(1, m.value("message_broker_consumer_lag", "topic", "orders", "group", "billing"));
            assertEquals(1, m.value("message_broker_messages_dead_lettered_total", "topic", "payments", "group", "workers",
                    "reason", "nack"));
            assertEquals(1, m.value("message_broker_messages_redelivered_total", "topic", "payments", "group", "workers"));
            assertEquals(1, m.value("message_broker_queue_size", "topic", "dlq.payments"));
            assertEquals(1, m.value("message_broker_publishes_rejected_total", "topic", "dlq.payments",
                    "reason", "reserved-topic"));
            // The seed's histogram keeps its exact name: one observation per stored publish request.
            assertEquals(3, m.value("message_broker_processing_duration_count"));
            assertEquals(3, m.value("message_broker_processing_duration_bucket", "le", "+Inf"));
            assertTrue(m.value("message_broker_processing_duration_sum") > 0);
            assertTrue(m.text.contains("# TYPE message_broker_processing_duration histogram\n"));
            assertTrue(m.has("jvm_memory_used_bytes") && m.has("jvm_threads_current"), "JVM metrics are missing");
            assertEquals(1, m.value("message_broker_healthy"));
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();

            checkWithPromtool(m.text);
        }
    }

    @Test
    void textFormatByDefaultAndOpenMetricsWhenAsked() throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of())) {
            HttpResponse<String> text = Http.get(broker.base(), "metrics");
            assertEquals(200, text.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElseThrow());

            HttpResponse<String> open = Http.CLIENT.send(HttpRequest.newBuilder(broker.base().resolve("metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, open.statusCode());
            assertTrue(open.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"));
            assertTrue(open.body().endsWith("# EOF\n"), open.body());
        }
    }

    @Test
    void withoutTheMetricsJarMetricsIsNotFoundAndTheRestServes() throws Exception {
        Path copy = temp.resolve("image");
        Process cp = new ProcessBuilder("cp", "-a", RunningImage.image().toString(), copy.toString()).inheritIO().start();
        assertEquals(0, cp.waitFor());
        try (Stream<Path> s = Files.list(copy.resolve("modules"))) {
            Path jar = s.filter(p -> p.getFileName().toString().startsWith("metrics-prometheus-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no metrics-prometheus jar in the image"));
            Files.delete(jar);
        }

        try (RunningImage broker = RunningImage.start(copy, Map.of())) {
            URI base = broker.base();
            HttpResponse<String> metrics = Http.get(base, "metrics");
            assertEquals(404, metrics.statusCode());
            assertTrue(metrics.body().contains("not-found"), metrics.body());
            assertEquals(200, Http.get(base, "health").statusCode());
            assertEquals(201, Http.post(base, "publish/still.served", "1").statusCode());
            assertEquals(200, Http.get(base, "consume/still.served").statusCode());
            WebSocket ws = Http.CLIENT.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + base.getPort() + "/ws"), new WebSocket.Listener() { })
                    .join();
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            assertFalse(broker.output().contains("Exception"), broker.output());
        }
    }

    @Test
    void grafanaDashboardQueriesParseAndNameOnlyServedMetrics() throws Exception {
        String dashboard = Files.readString(Path.of("grafana/dashboards/broker.json"));
        List<String> queries = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (m.find()) {
            // JSON string escapes, then Grafana's variables as Prometheus would see them.
            queries.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\")
                    .replace("$__rate_interval", "1m").replace("$job", ".*").replace("$topic", ".*"));
        }
        assertTrue(queries.size() >= 20, "the dashboard has " + queries.size() + " queries");

        // A broker that has seen every event a panel shows, so that each family has series.
        Map<String, String> env = Map.of("MAX_DELIVERIES", "2", "OVERFLOW_POLICY", "drop-oldest", "MAX_QUEUE_SIZE", "2");
        Metrics served;
        try (RunningImage broker = RunningImage.start(RunningImage.image(), env)) {
            URI base = broker.base();
            assertEquals(201, Http.post(base, "subscribe/full", "{\"group\":\"slow\"}").statusCode());
            for (int i = 0; i < 3; i++) {
                assertEquals(201, Http.post(base, "publish/full", String.valueOf(i)).statusCode());
            }
            assertEquals(200, Http.get(base, "consume/full?group=slow").statusCode());
            assertEquals(201, Http.post(base, "publish/jobs", "1").statusCode());
            for (int delivery = 0; delivery < 2; delivery++) {
                String receipt = Http.receipts(Http.get(base, "consume/jobs?group=w&ack=manual").body()).get(0);
                assertEquals(200, Http.post(base, "nack/jobs?group=w", "{\"receipts\":[\"" + receipt + "\"]}").statusCode());
            }
            assertEquals(201, Http.post(base, "publish/jobs", "2").statusCode());
            Http.get(base, "consume/jobs?group=w&ack=manual");
            assertEquals(400, Http.post(base, "publish/dlq.jobs", "1").statusCode());
            served = scrapeUntil(base, x -> x.find("message_broker_queue_size", "topic", "dlq.jobs").orElse(0.0) == 1);
        }
        // Cut off slow WebSocket subscribers are too rare to provoke here; the plugin's own tests count them.
        Set<String> eventOnly = Set.of("message_broker_slow_consumer_disconnects_total");
        Set<String> names = new java.util.TreeSet<>();
        for (String q : queries) {
            Matcher n = Pattern.compile("\\b((?:message_broker|jvm|process)_[a-z_]+)\\b").matcher(q);
            while (n.find()) {
                names.add(n.group(1));
            }
        }
        for (String name : names) {
            assertTrue(served.has(name) || eventOnly.contains(name), "the dashboard queries " + name
                    + ", which /metrics does not serve:\n" + served.text);
        }

        Optional<Path> promtool = promtool();
        if (promtool.isEmpty()) {
            System.out.println("[skip] promtool is not installed (Debian package prometheus): the dashboard's PromQL was not parsed");
            return;
        }
        // promtool parses PromQL in rule files: one recording rule per panel query.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
                    .append(queries.get(i).replace("'", "''")).append("'\n");
        }
        Path file = temp.resolve("dashboard-rules.yml");
        Files.writeString(file, rules);
        Result r = run(promtool.get().toString(), "check", "rules", file.toString());
        assertEquals(0, r.exitCode(), "promtool could not parse the dashboard's queries:\n" + r.output() + "\n" + rules);
    }

    @Test
    void composeAndPrometheusConfigurationsAreValid() throws Exception {
        boolean checked = false;
        Optional<Path> promtool = promtool();
        if (promtool.isPresent()) {
            Result r = run(promtool.get().toString(), "check", "config", "prometheus.yml");
            assertEquals(0, r.exitCode(), r.output());
            checked = true;
        } else {
            System.out.println("[skip] promtool is not installed (Debian package prometheus): prometheus.yml was not checked");
        }
        Optional<Path> compose = onPath("docker-compose");
        if (compose.isPresent()) {
            Result r = run(compose.get().toString(), "-f", "docker-compose.yml", "config", "-q");
            assertEquals(0, r.exitCode(), "docker-compose config failed:\n" + r.output());
            checked = true;
        } else {
            System.out.println("[skip] docker-compose is not installed (Debian package docker-compose): docker-compose.yml was not checked");
        }
        Assumptions.assumeTrue(checked, "neither promtool nor docker-compose is installed");
    }

    private static Metrics scrapeUntil(URI base, java.util.function.Predicate<Metrics> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            HttpResponse<String> r = Http.get(base, "metrics");
            assertEquals(200, r.statusCode(), r.body());
            Metrics m = new Metrics(r.body());
            if (condition.test(m) || System.nanoTime() > deadline) {
                return m;
            }
            Thread.sleep(50);
        }
    }

    /** checkWithPromtool runs {@code promtool check metrics} (Debian package prometheus) where it is installed. */
    private static void checkWithPromtool(String exposition) throws Exception {
        Optional<Path> promtool = promtool();
        if (promtool.isEmpty()) {
            System.out.println("[skip] promtool is not installed (Debian package prometheus): /metrics was not checked with it");
            Assumptions.abort("promtool is not installed");
        }
        Process p = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check metrics failed:\n" + output);
        assertEquals("", output.trim(), "promtool check metrics found problems:\n" + output);
    }

    private static Optional<Path> promtool() {
        return onPath("promtool");
    }

    private static Optional<Path> onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir.isEmpty() ? "." : dir, tool)).filter(Files::isExecutable).findFirst();
    }

    /** Result is a tool's exit code and what it printed. */
    private record Result(int exitCode, String output) {
    }

    private static Result run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), output);
    }

    /** Metrics is a parsed text-format scrape. */
    private static final class Metrics {
        private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        final String text;

        Metrics(String text) {
            this.text = text;
        }

        Optional<Double> find(String name, String... labelPairs) {
            Map<String, String> wanted = new java.util.TreeMap<>();
            for (int i = 0; i < labelPairs.length; i += 2) {
                wanted.put(labelPairs[i], labelPairs[i + 1]);
            }
            for (String line : text.split("\n")) {
                Matcher m = SAMPLE.matcher(line);
                if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                    continue;
                }
                Map<String, String> labels = new java.util.TreeMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                if (labels.equals(wanted)) {
                    return Optional.of(Double.parseDouble(m.group(3)));
                }
            }
            return Optional.empty();
        }

        double value(String name, String... labelPairs) {
            return find(name, labelPairs).orElseThrow(() -> new AssertionError(
                    "no series " + name + " " + List.of(labelPairs) + " in:\n" + text));
        }

        boolean has(String name) {
            return text.lines().anyMatch(l -> l.startsWith(name + " ") || l.startsWith(name + "{"));
        }
    }
}
