package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LongPollLoadTest runs hundreds of concurrent long polls against the real HTTP API: they hold no
 * server thread (more of them than Jetty has threads do not block a publish), and every message
 * is delivered once per group to a waiting poll.
 */
class LongPollLoadTest {
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");
    private static Broker broker;
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();

    @BeforeAll
    static void start() {
        broker = Broker.start(Settings.fromEnvironment(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false",
                "MAX_QUEUE_SIZE", "100000", "MAX_GROUPS_PER_TOPIC", "1000")));
        base = URI.create("http://127.0.0.1:" + broker.endpoints().get(0).getPort() + "/");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static CompletableFuture<HttpResponse<String>> poll(String path) {
        return HTTP.sendAsync(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int publish(String topic, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("publish/" + topic)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void moreIdleLongPollsThanServerThreadsDoNotBlockAPublish() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> idle = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            idle.add(poll("consume/idle.polls?group=g" + i + "&wait=25s"));
        }
        // Jetty has at most 200 threads: if each poll held one, this publish could not be served.
        assertEquals(201, publish("other.topic", "1"));
        for (CompletableFuture<HttpResponse<String>> f : idle) {
            assertTrue(!f.isDone() || f.join().statusCode() == 204, "a long poll answered early");
        }
        // One message to the polled topic wakes every group's poll at once.
        assertEquals(201, publish("idle.polls", "\"wake\""));
        for (CompletableFuture<HttpResponse<String>> f : idle) {
            HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    @Test
    void concurrentPollsAndPublishersDeliverEveryMessageOncePerGroup() throws Exception {
        int messages = 600;
        int pollers = 150;
        Set<Long> received = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger outstanding = new AtomicInteger(messages);
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            loops.add(pollLoop(received, duplicates, outstanding));
        }
        ExecutorService publishers = Executors.newFixedThreadPool(10);
        List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            int n = i;
            answers.add(publishers.submit(() -> publish("shared.polls", "{\"n\":" + n + "}")));
        }
        for (java.util.concurrent.Future<Integer> a : answers) {
            assertEquals(201, a.get(30, TimeUnit.SECONDS));
        }
        publishers.shutdown();
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertEquals(0, duplicates.get(), "a message was delivered twice in one group");
        assertEquals(messages, received.size());
        for (long o = 0; o < messages; o++) {
            assertTrue(received.contains(o), "offset " + o + " was never delivered");
        }
    }

    /** pollLoop long-polls until every message has been received by some poller. */
    private static CompletableFuture<Void> pollLoop(Set<Long> received, AtomicInteger duplicates, AtomicInteger outstanding) {
        if (outstanding.get() <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return poll("consume/shared.polls?group=workers&wait=2s").thenCompose(r -> {
            if (r.statusCode() == 200) {
                Matcher m = OFFSET.matcher(r.body());
                if (m.find()) {
                    if (!received.add(Long.parseLong(m.group(1)))) {
                        duplicates.incrementAndGet();
                    }
                    outstanding.decrementAndGet();
                }
            }
            return pollLoop(received, duplicates, outstanding);
        });
    }
}
