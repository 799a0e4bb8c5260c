package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ScheduledIT checks delayed messages, per-message expiry and idempotent publish against the image,
 * over HTTP and WebSocket, on the memory store and on MVStore, and across a restart of the image
 * with delayed messages pending and keys within their window (docs/scheduled-and-idempotent.md).
 * Whether a message came early is judged by its own x-deliver-at header against the clock of this
 * machine, which the broker shares, never by how long a test waited.
 */
class ScheduledIT {
    private static final Pattern DELIVER_AT = Pattern.compile("\"x-deliver-at\":\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @TempDir
    Path data;

    private Map<String, String> env(String store) {
        Map<String, String> env = new HashMap<>();
        env.put("PERSISTENCE_ENABLED", Boolean.toString(store.equals("mvstore")));
        env.put("DATA_DIR", data.toString());
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "mvstore"})
    void overHttp(String store) throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), env(store))) {
            URI base = broker.base();
            assertTrue(broker.output().contains("store '" + store + "'") || broker.output().contains(store), broker.output());

            // delay: stored at once, handed out when due, a long poll woken by it
            HttpResponse<String> delayed = Http.post(base, "publish/sched.d?delay=2s", "{\"n\":1}");
            assertEquals(201, delayed.statusCode(), delayed.body());
            assertEquals(201, Http.post(base, "publish/sched.d", "{\"n\":2}").statusCode());
            HttpResponse<String> first = Http.get(base, "consume/sched.d?group=g");
            assertTrue(first.body().contains("\"n\":2"), "the later one first: " + first.body());
            HttpResponse<String> waited = Http.get(base, "consume/sched.d?group=g&wait=20s");
            assertEquals(200, waited.statusCode(), waited.body());
            assertTrue(waited.body().contains("\"n\":1"), waited.body());
            notEarly(waited.body());
            assertEquals(2, Http.offsets(Http.get(base, "topics/sched.d/messages?from=0").body()).size(), "browse shows both");

            // ttl: expired before the group looked, counted as expired
            assertEquals(201, Http.post(base, "publish/sched.t?ttl=500ms", "{\"n\":1}").statusCode());
            assertEquals(201, Http.post(base, "publish/sched.t", "{\"n\":2}").statusCode());
            Thread.sleep(700);
            HttpResponse<String> live = Http.get(base, "consume/sched.t/batch?group=g&limit=10");
            assertEquals(1, Http.offsets(live.body()).size(), live.body());
            assertTrue(live.body().contains("\"n\":2"), live.body());
            assertTrue(Http.get(base, "topics/sched.t/stats").body().contains("\"expired\":1"));
            assertTrue(Http.get(base, "metrics").body().contains(
                    "message_broker_messages_ttl_expired_total{group=\"g\",topic=\"sched.t\"} 1.0"));

            // idempotency: a repeat is 200, marked, and answered as the first
            HttpResponse<String> once = post(base, "publish/sched.k", "{\"n\":1}", "order-17");
            HttpResponse<String> twice = post(base, "publish/sched.k", "{\"n\":1}", "order-17");
            assertEquals(201, once.statusCode(), once.body());
            assertEquals(200, twice.statusCode(), twice.body());
            assertEquals(Optional.of("true"), twice.headers().firstValue("Idempotent-Replayed"));
            assertFalse(once.headers().firstValue("Idempotent-Replayed").isPresent());
            assertEquals(once.body(), twice.body());
            HttpResponse<String> batch = post(base, "publish/batch/sched.k", "[1,2,3]", "batch-1");
            HttpResponse<String> batchAgain = post(base, "publish/batch/sched.k", "[1,2,3]", "batch-1");
            assertEquals(201, batch.statusCode());
            assertEquals(200, batchAgain.statusCode());
            assertEquals(batch.body(), batchAgain.body());
            assertEquals(4, Http.offsets(Http.get(base, "topics/sched.k/messages?from=0").body()).size(), "nothing stored twice");

            // bad input: one clear error each, nothing stored
            assertProblem(Http.post(base, "publish/sched.bad?delay=2h", "1"), 400, "invalid-parameter", "MAX_DELAY");
            assertProblem(Http.post(base, "publish/sched.bad?delay=soon", "1"), 400, "invalid-parameter", "delay");
            assertProblem(Http.post(base, "publish/sched.bad?delay=5s&ttl=2s", "1"), 400, "invalid-parameter", "ttl");
            assertProblem(Http.post(base, "publish/sched.bad?wait=5s", "1"), 400, "invalid-parameter", "wait");
            assertProblem(post(base, "publish/sched.bad", "1", "x".repeat(257)), 400, "invalid-parameter", "key");
            assertEquals(404, Http.get(base, "topics/sched.bad/stats").statusCode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "mvstore"})
    void overWebSocket(String store) throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), env(store))) {
            Frames frames = new Frames();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + broker.base().getPort() + "/ws"), frames).join();
            ws.sendText("{\"type\":\"subscribe\",\"topic\":\"ws.d\",\"group\":\"g\"}", true).join();
            assertTrue(frames.next().contains("\"subscribed\""));
            ws.sendText("{\"type\":\"publish\",\"topic\":\"ws.d\",\"data\":{\"n\":1},\"delay\":\"1500ms\",\"messageId\":\"m-1\"}", true).join();
            String published = frames.next();
            assertTrue(published.contains("\"published\"") && published.contains("\"offset\":0"), published);
            assertFalse(published.contains("replayed"), published);
            ws.sendText("{\"type\":\"publish\",\"topic\":\"ws.d\",\"data\":{\"n\":1},\"delay\":\"1500ms\",\"messageId\":\"m-1\"}", true).join();
            String replayed = frames.next();
            assertTrue(replayed.contains("\"replayed\":true"), replayed);
            assertEquals(id(published), id(replayed));
            ws.sendText("{\"type\":\"publish\",\"topic\":\"ws.d\",\"data\":{\"n\":2}}", true).join();
            // The reply to the publish and the delivery to the member race each other; the two messages do not.
            java.util.List<String> messages = new java.util.ArrayList<>();
            int replies = 0;
            while (messages.size() < 2) {
                String f = frames.next();
                if (f.contains("\"type\":\"published\"")) {
                    replies++;
                } else {
                    messages.add(f);
                }
            }
            assertEquals(1, replies);
            String m2 = messages.get(0);
            assertTrue(m2.contains("\"message\"") && m2.contains("\"n\":2"), "the later one first: " + m2);
            String m1 = messages.get(1);
            assertTrue(m1.contains("\"message\"") && m1.contains("\"n\":1"), m1);
            notEarly(m1);

            ws.sendText("{\"type\":\"publish\",\"topic\":\"ws.t\",\"data\":{\"n\":1},\"ttl\":\"300ms\"}", true).join();
            assertTrue(frames.next().contains("\"published\""));
            Thread.sleep(500);
            ws.sendText("{\"type\":\"publish\",\"topic\":\"ws.t\",\"data\":{\"n\":2}}", true).join();
            assertTrue(frames.next().contains("\"published\""));
            ws.sendText("{\"type\":\"subscribe\",\"topic\":\"ws.t\",\"from\":\"earliest\"}", true).join();
            assertTrue(frames.next().contains("\"subscribed\""));
            String only = frames.next();
            assertTrue(only.contains("\"n\":2"), "the expired one is handed to no one: " + only);

            ws.sendText("{\"type\":\"publish\",\"topic\":\"ws.bad\",\"data\":1,\"delay\":\"soon\",\"messageId\":\"b-1\"}", true).join();
            String error = frames.next();
            assertTrue(error.contains("\"error\"") && error.contains("invalid-parameter") && error.contains("\"messageId\":\"b-1\""), error);
            assertEquals(null, frames.poll(300), "nothing else arrives");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
    }

    @Test
    void delayedMessagesAndKeysSurviveARestart() throws Exception {
        Map<String, String> env = env("mvstore");
        String first;
        Instant due;
        try (RunningImage broker = RunningImage.start(RunningImage.image(), env)) {
            URI base = broker.base();
            HttpResponse<String> r = post(base, "publish/restart.d?delay=10s", "{\"n\":1}", "k-1");
            assertEquals(201, r.statusCode(), r.body());
            first = r.body();
            due = Instant.now().plusSeconds(10);
            assertEquals(201, Http.post(base, "publish/restart.d", "{\"n\":2}").statusCode());
        }
        try (RunningImage broker = RunningImage.start(RunningImage.image(), env)) {
            URI base = broker.base();
            HttpResponse<String> again = post(base, "publish/restart.d?delay=10s", "{\"n\":1}", "k-1");
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(first, again.body(), "the key is remembered across the restart");
            HttpResponse<String> now = Http.get(base, "consume/restart.d/batch?group=g&limit=10");
            if (Instant.now().isBefore(due.minusSeconds(1))) {
                assertEquals(1, Http.offsets(now.body()).size(), "only the message that is due: " + now.body());
            }
            HttpResponse<String> waited = Http.get(base, "consume/restart.d?group=g&wait=30s");
            assertEquals(200, waited.statusCode(), waited.body());
            assertTrue(waited.body().contains("\"n\":1"), waited.body());
            notEarly(waited.body());
            assertEquals(2, Http.offsets(Http.get(base, "topics/restart.d/messages?from=0").body()).size());
        }
    }

    private static HttpResponse<String> post(URI base, String path, String json, String key) throws Exception {
        return Http.CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String code, String mentions) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"type\":\"urn:broker:error:" + code + "\""), r.body());
        assertTrue(r.body().contains(mentions), r.body());
    }

    /** notEarly checks that a delivery arrived no earlier than its x-deliver-at said. */
    private static void notEarly(String delivery) {
        Matcher m = DELIVER_AT.matcher(delivery);
        assertTrue(m.find(), "a delayed message carries its due time: " + delivery);
        Instant dueAt = Instant.parse(m.group(1));
        assertFalse(Instant.now().isBefore(dueAt), "handed out before " + dueAt + ": " + delivery);
    }

    private static String id(String frame) {
        Matcher m = ID.matcher(frame);
        assertTrue(m.find(), frame);
        return m.group(1);
    }
}
