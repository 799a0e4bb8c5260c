package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HttpApiTest starts the broker on a free port and uses the HTTP API as a client would. */
class HttpApiTest {
    private static Broker broker;
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        broker = Broker.start(Settings.fromEnvironment(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false",
                "MAX_MESSAGE_SIZE", "1000", "MAX_BATCH_SIZE", "5", "MAX_QUEUE_SIZE", "3")));
        URI any = broker.endpoints().get(0);
        base = URI.create("http://127.0.0.1:" + any.getPort() + "/");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void publishThenConsume() throws Exception {
        HttpResponse<String> p = post("publish/smoke.a", "{ \"n\": 1.50 }");
        assertEquals(201, p.statusCode(), p.body());
        HttpResponse<String> c = get("consume/smoke.a");
        assertEquals(200, c.statusCode(), c.body());
        assertTrue(c.body().contains("\"data\":{ \"n\": 1.50 }"), c.body());
        assertEquals(204, get("consume/smoke.a").statusCode());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), r.body());
        assertTrue(r.body().contains("\"type\":\"urn:broker:error:" + code + "\""), r.body());
        assertTrue(r.body().contains("\"status\":" + status), r.body());
        assertFalse(r.body().contains("Exception"), "a stack trace reached the client: " + r.body());
    }

    /** A client that says it accepts JSON gets the same answers from every endpoint, the asynchronous ones included. */
    @Test
    void acceptApplicationJsonIsAnsweredByEveryEndpoint() throws Exception {
        assertEquals(201, post("publish/accept.check", "1").statusCode());
        for (String accept : List.of("application/json", "application/problem+json", "text/html")) {
            HttpResponse<String> leased = send("GET", "consume/accept.check?group=g&ack=manual", null, accept);
            assertEquals(200, leased.statusCode(), accept + ": " + leased.body());
            String receipt = leased.body().replaceAll("(?s).*\"receipt\":\"([^\"]+)\".*", "$1");
            String receipts = "{\"receipts\":[\"" + receipt + "\"]}";
            HttpResponse<String> extended = send("POST", "extend/accept.check?group=g", receipts, accept);
            assertEquals(200, extended.statusCode(), accept + ": " + extended.body());
            HttpResponse<String> nacked = send("POST", "nack/accept.check?group=g", receipts, accept);
            assertEquals(200, nacked.statusCode(), accept + ": " + nacked.body());
            assertTrue(nacked.body().contains("\"nacked\":1"), nacked.body());
            HttpResponse<String> again = send("GET", "consume/accept.check?group=g&ack=manual", null, accept);
            String second = again.body().replaceAll("(?s).*\"receipt\":\"([^\"]+)\".*", "$1");
            HttpResponse<String> acked = send("POST", "ack/accept.check?group=g", "{\"receipts\":[\"" + second + "\"]}", accept);
            assertEquals(200, acked.statusCode(), accept + ": " + acked.body());
            assertTrue(acked.body().contains("\"acked\":1"), acked.body());
            assertEquals("application/json", acked.headers().firstValue("Content-Type").orElse(""));
            HttpResponse<String> redriven = send("POST", "topics/accept.check/dlq/redrive?group=g", null, accept);
            assertEquals(200, redriven.statusCode(), accept + ": " + redriven.body());
            assertTrue(redriven.body().contains("\"redriven\":0"), redriven.body());
            // A refusal is problem+json whatever was accepted.
            assertProblem(send("POST", "ack/accept.check?group=g", "{}", accept), 400, "invalid-json");
            assertEquals(201, post("publish/accept.check", "1").statusCode());
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Accept", accept);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void publishAnswersWithIdOffsetAndTimestamp() throws Exception {
        HttpResponse<String> p = post("publish/shape.check", "true");
        assertEquals(201, p.statusCode(), p.body());
        assertTrue(p.body().matches("\\{\"id\":\"[0-9a-f-]{36}\",\"topic\":\"shape.check\",\"offset\":0,"
                + "\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"}"), p.body());
    }

    @Test
    void messageHeadersComeFromXMsgRequestHeaders() throws Exception {
        HttpResponse<String> p = HTTP.send(HttpRequest.newBuilder(base.resolve("publish/headers.check"))
                .header("Content-Type", "application/json").header("X-Msg-Source", "auth-service")
                .header("X-Other", "ignored").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, p.statusCode(), p.body());
        HttpResponse<String> c = get("consume/headers.check");
        assertTrue(c.body().contains("\"headers\":{\"source\":\"auth-service\"}"), c.body());
    }

    @Test
    void headersTheBrokerWritesOnDeadLettersAreRefused() throws Exception {
        for (String header : List.of("X-Msg-X-Redrive-Group", "X-Msg-X-Original-Topic", "X-Msg-X-Group", "X-Msg-X-Dead-Letter-Reason")) {
            HttpResponse<String> p = HTTP.send(HttpRequest.newBuilder(base.resolve("publish/reserved.headers"))
                    .header("Content-Type", "application/json").header(header, "forged")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertProblem(p, 400, "invalid-header");
            assertTrue(p.body().contains("is written by the broker alone"), p.body());
        }
        HttpResponse<String> batch = HTTP.send(HttpRequest.newBuilder(base.resolve("publish/batch/reserved.headers"))
                .header("Content-Type", "application/json").header("X-Msg-X-Group", "forged")
                .POST(HttpRequest.BodyPublishers.ofString("[1,2]")).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(batch, 400, "invalid-header");
        assertEquals(204, get("consume/reserved.headers").statusCode(), "a refused publish stored something");
    }

    @Test
    void badTopicsAndGroupsAre400() throws Exception {
        assertProblem(post("publish/a..b", "1"), 400, "invalid-topic");
        assertProblem(post("publish/a.*", "1"), 400, "invalid-topic");
        assertProblem(post("publish/dlq.orders", "1"), 400, "reserved-topic");
        assertProblem(get("consume/ok.topic?group=bad%20group"), 400, "invalid-group");
        assertProblem(get("consume/ok.topic/batch?limit=0"), 400, "invalid-parameter");
        assertProblem(get("consume/ok.topic/batch?limit=1001"), 400, "invalid-parameter");
        assertProblem(get("consume/ok.topic?ack=sometimes"), 400, "invalid-parameter");
    }

    @Test
    void badJsonIs400AndWrongContentTypeIs415() throws Exception {
        assertProblem(post("publish/json.check", "{\"a\":"), 400, "invalid-json");
        assertProblem(post("publish/json.check", "1 2"), 400, "invalid-json");
        assertProblem(post("publish/json.check", ""), 400, "invalid-json");
        assertProblem(post("publish/batch/json.check", "{\"not\":\"an array\"}"), 400, "invalid-json");
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(base.resolve("publish/json.check"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("a=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(form, 415, "unsupported-media-type");
        assertEquals(204, get("consume/json.check").statusCode(), "a refused publish stored something");
    }

    @Test
    void sizeLimitsAre413AndABatchIsAllOrNothing() throws Exception {
        assertProblem(post("publish/size.check", "\"" + "x".repeat(1000) + "\""), 413, "message-too-large");
        assertProblem(post("publish/batch/size.check", "[1,2,3,4,5,6]"), 413, "batch-too-large");
        HttpResponse<String> mixed = post("publish/batch/size.check", "[1, \"" + "y".repeat(1000) + "\", 3]");
        assertProblem(mixed, 413, "message-too-large");
        assertTrue(mixed.body().contains("item 1"), mixed.body());
        assertEquals("[]", get("consume/size.check/batch?limit=10").body(), "part of a refused batch was stored");
    }

    @Test
    void aFullTopicRefusesWith429AndRetryAfterUntilTheGroupCatchesUp() throws Exception {
        assertEquals(201, post("publish/batch/full.check", "[1,2,3]").statusCode());
        assertEquals(200, get("consume/full.check?group=slow").statusCode());
        // Two more would evict offsets 0 and 1, and the group has not consumed offset 1.
        HttpResponse<String> full = post("publish/batch/full.check", "[4,5]");
        assertProblem(full, 429, "topic-full");
        assertTrue(full.headers().firstValue("Retry-After").isPresent(), "no Retry-After");
        assertEquals(200, get("consume/full.check/batch?group=slow&limit=10").statusCode());
        assertEquals(201, post("publish/batch/full.check", "[4,5]").statusCode());
        assertTrue(get("topics").body().contains("{\"name\":\"full.check\",\"messages\":3,\"firstOffset\":2,\"lastOffset\":4}"));
    }

    @Test
    void batchConsumeHandsEachMessageOncePerGroupInOrder() throws Exception {
        assertEquals(201, post("publish/batch/groups.check", "[\"a\",\"b\"]").statusCode());
        String first = get("consume/groups.check/batch?limit=10&group=one").body();
        assertTrue(first.indexOf("\"a\"") < first.indexOf("\"b\"") && first.indexOf("\"a\"") > 0, first);
        assertEquals("[]", get("consume/groups.check/batch?limit=10&group=one").body());
        assertTrue(get("consume/groups.check/batch?limit=1&group=two").body().contains("\"a\""));
    }

    @Test
    void topicsAndHealth() throws Exception {
        assertEquals(201, post("publish/list.check", "1").statusCode());
        HttpResponse<String> topics = get("topics");
        assertEquals(200, topics.statusCode());
        assertTrue(topics.body().contains("{\"name\":\"list.check\",\"messages\":1,\"firstOffset\":0,\"lastOffset\":0}"),
                topics.body());
        HttpResponse<String> health = get("health");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"UP\"") && health.body().contains("\"name\":\"memory\""),
                health.body());
    }

    @Test
    void unknownPathsAndMethodsAreProblems() throws Exception {
        assertProblem(get("no/such/thing"), 404, "not-found");
        HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(base.resolve("health")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(delete, 405, "method-not-allowed");
    }

    private static String receipt(String body) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"receipt\":\"([^\"]+)\"").matcher(body);
        assertTrue(m.find(), "no receipt in " + body);
        return m.group(1);
    }

    @Test
    void aManualDeliveryIsLeasedUntilAckedAndAStaleReceiptIsReported() throws Exception {
        assertEquals(201, post("publish/manual.check", "{\"n\":1}").statusCode());
        HttpResponse<String> first = get("consume/manual.check?group=m&ack=manual");
        assertEquals(200, first.statusCode(), first.body());
        String receipt = receipt(first.body());
        assertEquals(204, get("consume/manual.check?group=m&ack=manual").statusCode(), "a leased message was handed out twice");
        HttpResponse<String> ack = post("ack/manual.check?group=m", "{\"receipts\":[\"" + receipt + "\",\"zz.1\"]}");
        assertEquals(200, ack.statusCode(), ack.body());
        assertEquals("{\"acked\":1,\"stale\":[\"zz.1\"]}", ack.body());
        assertEquals("{\"acked\":0,\"stale\":[\"" + receipt + "\"]}",
                post("ack/manual.check?group=m", "{\"receipts\":[\"" + receipt + "\"]}").body());
    }

    @Test
    void aNackHandsTheMessageOutAgainWithItsRetryCountRaised() throws Exception {
        assertEquals(201, post("publish/nack.check", "7").statusCode());
        String receipt = receipt(get("consume/nack.check?group=n&ack=manual").body());
        HttpResponse<String> nack = post("nack/nack.check?group=n", "{\"receipts\":[\"" + receipt + "\"],\"reason\":\"boom\"}");
        assertEquals("{\"nacked\":1,\"stale\":[]}", nack.body());
        HttpResponse<String> again = get("consume/nack.check?group=n&ack=manual");
        assertTrue(again.body().contains("\"retryCount\":1") && again.body().contains("\"data\":7"), again.body());
    }

    @Test
    void aLongPollEndsWithTheMessageThatArrivesDuringIt() throws Exception {
        java.util.concurrent.CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(
                HttpRequest.newBuilder(base.resolve("consume/poll.check?wait=20s")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, post("publish/poll.check", "\"hello\"").statusCode());
        HttpResponse<String> got = waiting.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, got.statusCode(), got.body());
        assertTrue(got.body().contains("\"data\":\"hello\""), got.body());
        assertEquals(204, get("consume/poll.check?wait=300ms").statusCode());
        assertProblem(get("consume/poll.check?wait=31s"), 400, "invalid-parameter");
        assertProblem(get("consume/poll.check?wait=soon"), 400, "invalid-parameter");
    }

    @Test
    void subscribeCreatesAGroupOnceAndRefusesOtherSettings() throws Exception {
        HttpResponse<String> created = post("subscribe/sub.check", "{\"group\":\"g\",\"startFrom\":\"latest\",\"ackTimeout\":\"10s\",\"maxDeliveries\":3}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(200, post("subscribe/sub.check", "{\"group\":\"g\",\"startFrom\":\"latest\",\"ackTimeout\":\"10s\",\"maxDeliveries\":3}").statusCode());
        assertProblem(post("subscribe/sub.check", "{\"group\":\"g\",\"maxDeliveries\":4}"), 409, "group-conflict");
        assertProblem(post("subscribe/sub.check", "{\"group\":\"g\",\"colour\":\"red\"}"), 400, "invalid-json");
    }

    @Test
    void statsBrowseAndDelete() throws Exception {
        assertEquals(201, post("publish/batch/admin.check", "[1,2,3]").statusCode());
        assertEquals(200, get("consume/admin.check?group=a").statusCode());
        HttpResponse<String> stats = get("topics/admin.check/stats");
        assertEquals(200, stats.statusCode(), stats.body());
        assertTrue(stats.body().contains("\"messages\":3") && stats.body().contains("\"group\":\"a\",\"lag\":2"), stats.body());
        HttpResponse<String> browse = get("topics/admin.check/messages?from=1&limit=5");
        assertTrue(browse.body().contains("\"offset\":1") && browse.body().contains("\"offset\":2")
                && !browse.body().contains("\"offset\":0"), browse.body());
        assertProblem(get("topics/nothing.here/stats"), 404, "topic-not-found");
        HttpResponse<String> delete = HTTP.send(HttpRequest.newBuilder(base.resolve("topics/admin.check")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, delete.statusCode());
        assertProblem(get("topics/admin.check/messages"), 404, "topic-not-found");
    }
}
