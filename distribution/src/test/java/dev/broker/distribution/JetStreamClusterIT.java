package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * JetStreamClusterIT runs two broker nodes from the image on the {@code jetstream} store over three
 * real nats-server processes clustered with JetStream on 127.0.0.1 (docs/jetstream.md), and shows
 * that the nodes serve the same topics and groups: what one stores, leases or settles, the other sees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the NATS server is killed last
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class JetStreamClusterIT {
    private static final Path NATS_SERVER = Stream.of("/usr/sbin/nats-server", "/usr/bin/nats-server",
            "/usr/local/bin/nats-server").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern RETRY = Pattern.compile("\"retryCount\":(\\d+)");

    private Path dir;
    private final List<Process> nats = new ArrayList<>();
    private String natsUrl;
    private RunningImage a;
    private RunningImage b;

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(NATS_SERVER != null, "nats-server is not installed (.ci/run installs it)");
        dir = Files.createTempDirectory("jetstream-it");
        int[] client = {freePort(), freePort(), freePort()};
        int[] cluster = {freePort(), freePort(), freePort()};
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StringBuilder routes = new StringBuilder();
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    routes.append(routes.length() == 0 ? "" : ", ").append("nats-route://127.0.0.1:").append(cluster[j]);
                }
            }
            Path conf = dir.resolve("n" + i + ".conf");
            Files.writeString(conf, "server_name: n" + i + "\nlisten: 127.0.0.1:" + client[i] + "\n"
                    + "max_payload: 8MB\n"
                    + "jetstream { store_dir: \"" + dir.resolve("n" + i) + "\", max_memory_store: 64MB, max_file_store: 1GB }\n"
                    + "cluster { name: it, listen: 127.0.0.1:" + cluster[i] + ", routes: [" + routes + "] }\n");
            nats.add(new ProcessBuilder(NATS_SERVER.toString(), "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("n" + i + ".log").toFile()).start());
            urls.add("nats://127.0.0.1:" + client[i]);
        }
        natsUrl = String.join(",", urls);
        a = node();
        b = node();
    }

    /** node starts a broker from the image on the cluster; it waits for JetStream itself at start-up. */
    private RunningImage node() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            RunningImage node = RunningImage.launch(RunningImage.image(), env(), "--port", "0");
            try {
                node.awaitOutput("started in", 30);
                return node;
            } catch (IllegalStateException notYet) {
                // JetStream elects its meta leader a few seconds after the servers start.
                node.close();
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(500);
            }
        }
    }

    private Map<String, String> env() {
        return Map.of("STORE", "jetstream", "NATS_URL", natsUrl, "JETSTREAM_REPLICAS", "3",
                "PERSISTENCE_ENABLED", "true", "DATA_DIR", dir.resolve("data").toString());
    }

    @AfterAll
    void stop() throws Exception {
        for (RunningImage n : new RunningImage[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
        for (Process p : nats) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Thread started(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> ids(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = ID.matcher(body);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<Integer> retries(String body) {
        List<Integer> out = new ArrayList<>();
        Matcher m = RETRY.matcher(body);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static String receiptsJson(List<String> receipts) {
        return "{\"receipts\":[\"" + String.join("\",\"", receipts) + "\"]}";
    }

    private static HttpResponse<String> publish(URI node, String topic, int i) throws Exception {
        HttpResponse<String> r = Http.post(node, "publish/" + topic, "{\"i\":" + i + "}");
        assertEquals(201, r.statusCode(), r.body());
        return r;
    }

    /** group makes a group with settings through POST /subscribe/{topic}. */
    private static void group(URI node, String topic, String json) throws Exception {
        HttpResponse<String> r = Http.post(node, "subscribe/" + topic, json);
        assertTrue(r.statusCode() == 201 || r.statusCode() == 200, r.statusCode() + " " + r.body());
    }

    @Test
    void aMessagePublishedOnOneNodeIsConsumedOnTheOtherWithItsOffsetAndId() throws Exception {
        List<Long> offsets = new ArrayList<>();
        List<String> published = new ArrayList<>();
        // (every test but the last runs with all three servers)
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = publish(a.base(), "js.same", i);
            offsets.addAll(Http.offsets(r.body()));
            published.addAll(ids(r.body()));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), offsets);
        String got = Http.get(b.base(), "consume/js.same/batch?group=g&limit=10").body();
        assertEquals(offsets, Http.offsets(got), got);
        assertEquals(published, ids(got), got);
        String browsed = Http.get(b.base(), "topics/js.same/messages?from=2&limit=10").body();
        assertEquals(List.of(2L, 3L, 4L), Http.offsets(browsed), browsed);
        String topics = Http.get(a.base(), "topics").body();
        assertTrue(topics.contains("\"js.same\""), topics);
        // Consumed automatically through B: nothing is left for the group through A.
        assertEquals(List.of(), Http.offsets(Http.get(a.base(), "consume/js.same/batch?group=g&limit=10").body()));
    }

    @Test
    void aLeaseTakenOnOneNodeIsAckedOnTheOtherAndNeverHandedOutAgain() throws Exception {
        group(a.base(), "js.lease", "{\"group\":\"w\",\"ackTimeout\":\"2s\"}");
        for (int i = 0; i < 3; i++) {
            publish(a.base(), "js.lease", i);
        }
        String leased = Http.get(a.base(), "consume/js.lease/batch?group=w&ack=manual&limit=10").body();
        List<String> receipts = Http.receipts(leased);
        assertEquals(3, receipts.size(), leased);
        HttpResponse<String> ack = Http.post(b.base(), "ack/js.lease?group=w", receiptsJson(receipts));
        assertEquals(200, ack.statusCode(), ack.body());
        assertTrue(ack.body().contains("\"stale\":[]"), ack.body());
        // Well past the ack timeout: nothing comes back on either node.
        String again = Http.get(b.base(), "consume/js.lease/batch?group=w&ack=manual&limit=10&wait=4s").body();
        assertEquals(List.of(), Http.offsets(again), again);
        assertEquals(List.of(), Http.offsets(Http.get(a.base(), "consume/js.lease/batch?group=w&ack=manual&limit=10").body()));
        // A receipt made up by a client is refused, not sent to JetStream.
        HttpResponse<String> forged = Http.post(b.base(), "ack/js.lease?group=w", receiptsJson(List.of("JEpTLkFDSw.AAAA")));
        assertTrue(forged.body().contains("JEpTLkFDSw.AAAA"), forged.body());
    }

    @Test
    void aLongPollOnOneNodeIsWokenByAPublishOnTheOther() throws Exception {
        // The group exists first, so that the poll's first look is at an empty topic.
        group(b.base(), "js.wake", "{\"group\":\"p\"}");
        var poll = Http.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(b.base()
                        .resolve("consume/js.wake/batch?group=p&limit=10&wait=20s")).timeout(Duration.ofSeconds(40)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1000);
        assertTrue(!poll.isDone(), "the poll answered before anything was published");
        long published = System.nanoTime();
        publish(a.base(), "js.wake", 1);
        String got = poll.get(20, TimeUnit.SECONDS).body();
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published);
        assertEquals(List.of(0L), Http.offsets(got), got);
        assertTrue(waited < 10_000, "the poll answered " + waited + " ms after the publish, not when it came");
    }

    @Test
    void leasesOfAKilledNodeAreRedeliveredThroughTheOtherAfterTheAckTimeout() throws Exception {
        try (RunningImage c = node()) {
            killedWithLeases(c);
        }
    }

    private void killedWithLeases(RunningImage c) throws Exception {
        group(c.base(), "js.kill", "{\"group\":\"k\",\"ackTimeout\":\"3s\"}");
        Set<Long> sent = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            sent.addAll(Http.offsets(publish(c.base(), "js.kill", i).body()));
        }
        String leased = Http.get(c.base(), "consume/js.kill/batch?group=k&ack=manual&limit=10").body();
        assertEquals(4, Http.receipts(leased).size(), leased);
        c.process.destroyForcibly(); // kill -9, its leases held
        c.process.waitFor(10, TimeUnit.SECONDS);
        Set<Long> redelivered = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (redelivered.size() < 4 && System.nanoTime() < deadline) {
            String got = Http.get(b.base(), "consume/js.kill/batch?group=k&ack=manual&limit=10&wait=5s").body();
            for (int r : retries(got)) {
                assertEquals(1, r, got);
            }
            redelivered.addAll(Http.offsets(got));
            List<String> receipts = Http.receipts(got);
            if (!receipts.isEmpty()) {
                assertEquals(200, Http.post(b.base(), "ack/js.kill?group=k", receiptsJson(receipts)).statusCode());
            }
        }
        assertEquals(sent, redelivered);
    }

    @Test
    void aMessageNackedToItsLastDeliveryOnBothNodesMakesExactlyOneDeadLetter() throws Exception {
        group(a.base(), "js.dead", "{\"group\":\"d\",\"maxDeliveries\":1}");
        publish(a.base(), "js.dead", 1);
        String leased = Http.get(a.base(), "consume/js.dead/batch?group=d&ack=manual&limit=1").body();
        List<String> receipts = Http.receipts(leased);
        assertEquals(1, receipts.size(), leased);
        // Both nodes nack the same last delivery at once: one dead letter.
        var onA = Http.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(a.base().resolve("nack/js.dead?group=d"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(receiptsJson(receipts))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> onB = Http.post(b.base(), "nack/js.dead?group=d", receiptsJson(receipts));
        assertEquals(200, onB.statusCode(), onB.body());
        assertEquals(200, onA.get(20, TimeUnit.SECONDS).statusCode());
        String letters = Http.get(b.base(), "topics/dlq.js.dead/messages?from=0&limit=10").body();
        assertEquals(List.of(0L), Http.offsets(letters), letters);
        assertTrue(letters.contains("\"x-original-topic\":\"js.dead\"") && letters.contains("\"x-group\":\"d\"")
                && letters.contains("\"x-dead-letter-reason\":\"nack\""), letters);
        assertEquals(List.of(), Http.offsets(Http.get(b.base(), "consume/js.dead/batch?group=d&limit=10&wait=2s").body()));
    }

    @Test
    void withoutNatsUrlTheJetStreamStoreStopsStartUpWithOneLineAndStatus2() throws Exception {
        try (RunningImage bad = RunningImage.launch(RunningImage.image(), Map.of("STORE", "jetstream",
                "PERSISTENCE_ENABLED", "true", "DATA_DIR", dir.resolve("bad").toString()), "--port", "0")) {
            assertEquals(2, bad.exitCode(30), bad.output());
            assertTrue(bad.output().contains("NATS_URL is not set"), bad.output());
        }
        try (RunningImage bad = RunningImage.launch(RunningImage.image(), Map.of("STORE", "jetstream",
                "NATS_URL", natsUrl, "JETSTREAM_REPLICAS", "three", "PERSISTENCE_ENABLED", "true",
                "DATA_DIR", dir.resolve("bad").toString()), "--port", "0")) {
            assertEquals(2, bad.exitCode(30), bad.output());
            assertTrue(bad.output().contains("JETSTREAM_REPLICAS is 'three'"), bad.output());
        }
    }

    @Test
    void underLoadOnBothNodesEveryAnsweredPublishIsDelivered() throws Exception {
        group(a.base(), "js.load", "{\"group\":\"l\",\"ackTimeout\":\"60s\"}");
        Set<String> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.ConcurrentHashMap<String, Integer> delivered = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean publishing = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> publishers = new ArrayList<>();
        for (URI node : List.of(a.base(), b.base())) {
            for (int t = 0; t < 2; t++) {
                int id = publishers.size();
                publishers.add(started(() -> {
                    for (int i = 0; i < 250; i++) {
                        try {
                            HttpResponse<String> r = Http.post(node, "publish/js.load", "{\"p\":" + id + ",\"i\":" + i + "}");
                            if (r.statusCode() == 201) {
                                answered.addAll(ids(r.body()));
                            }
                        } catch (Exception e) {
                            // not answered: not promised
                        }
                    }
                }));
            }
        }
        List<Thread> members = new ArrayList<>();
        for (URI node : List.of(a.base(), b.base())) {
            members.add(started(() -> {
                while (true) {
                    try {
                        String got = Http.get(node, "consume/js.load/batch?group=l&ack=manual&limit=100&wait=1s").body();
                        List<String> receipts = Http.receipts(got);
                        if (receipts.isEmpty()) {
                            if (!publishing.get()) {
                                return;
                            }
                            continue;
                        }
                        HttpResponse<String> ack = Http.post(node, "ack/js.load?group=l", receiptsJson(receipts));
                        if (ack.statusCode() == 200) {
                            for (String id : ids(got)) {
                                delivered.merge(id, 1, Integer::sum);
                            }
                        }
                    } catch (Exception e) {
                        return;
                    }
                }
            }));
        }
        for (Thread t : publishers) {
            t.join();
        }
        publishing.set(false);
        for (Thread t : members) {
            t.join(60_000);
        }
        assertTrue(answered.size() >= 900, "publishes of the load answered: " + answered.size() + " of 1000");
        Set<String> missing = new HashSet<>(answered);
        missing.removeAll(delivered.keySet());
        assertEquals(Set.of(), missing, "answered publishes that were not delivered");
        assertEquals(List.of(), delivered.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList(),
                "messages acked twice, though every lease was acked within its ack timeout");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void killingOneNatsServerLosesNothingAndRefusesForAFewSecondsAtMost() throws Exception {
        group(a.base(), "js.failover", "{\"group\":\"f\"}");
        publish(a.base(), "js.failover", -1); // the stream exists on all three servers before one goes
        Set<Long> answered = java.util.concurrent.ConcurrentHashMap.newKeySet();
        answered.add(0L);
        long[] longestRefusal = {0};
        Thread publisher = started(() -> {
            long refusedSince = -1;
            for (int i = 0; i < 400; i++) {
                for (URI node : List.of(a.base(), b.base())) {
                    try {
                        HttpResponse<String> r = Http.post(node, "publish/js.failover", "{\"i\":" + i + "}");
                        if (r.statusCode() == 201) {
                            answered.addAll(Http.offsets(r.body()));
                            if (refusedSince >= 0) {
                                longestRefusal[0] = Math.max(longestRefusal[0], System.nanoTime() - refusedSince);
                                refusedSince = -1;
                            }
                            continue;
                        }
                    } catch (Exception e) {
                        // refused below
                    }
                    if (refusedSince < 0) {
                        refusedSince = System.nanoTime();
                    }
                }
            }
            if (refusedSince >= 0) {
                longestRefusal[0] = Math.max(longestRefusal[0], System.nanoTime() - refusedSince);
            }
        });
        Thread.sleep(500);
        nats.get(0).destroyForcibly(); // kill -9 of one of the three servers
        publisher.join(120_000);
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(longestRefusal[0]) < 10,
                "publishes were refused for " + TimeUnit.NANOSECONDS.toMillis(longestRefusal[0]) + " ms");
        assertTrue(answered.size() > 400, "most publishes are answered: " + answered.size());
        Set<Long> got = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = Http.get(b.base(), "consume/js.failover/batch?group=f&limit=1000&wait=1s");
            List<Long> offsets = Http.offsets(r.body());
            if (r.statusCode() == 200 && offsets.isEmpty()) {
                break;
            }
            got.addAll(offsets);
        }
        Set<Long> lost = new HashSet<>(answered);
        lost.removeAll(got);
        assertEquals(Set.of(), lost, "answered publishes lost with the server");
    }
}
