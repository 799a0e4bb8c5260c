package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** LimitsHttpTest meets MAX_TOPICS and MAX_GROUPS_PER_TOPIC over real HTTP: 429 limit-exceeded (docs/limits.md). */
class LimitsHttpTest {
    private static ApiBroker broker;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        broker = ApiBroker.start("MAX_TOPICS", "2", "MAX_GROUPS_PER_TOPIC", "1");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(broker.base.resolve(path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pastTheLimitsIs429LimitExceeded() throws Exception {
        assertEquals(201, send("POST", "publish/lim.a", "1").statusCode());
        assertEquals(201, send("POST", "publish/lim.b", "1").statusCode());
        HttpResponse<String> topic = send("POST", "publish/lim.c", "1");
        assertEquals(429, topic.statusCode(), topic.body());
        assertTrue(topic.body().contains("urn:broker:error:limit-exceeded") && topic.body().contains("MAX_TOPICS"), topic.body());

        assertEquals(201, send("POST", "subscribe/lim.a", "{\"group\":\"one\"}").statusCode());
        HttpResponse<String> group = send("POST", "subscribe/lim.a", "{\"group\":\"two\"}");
        assertEquals(429, group.statusCode(), group.body());
        HttpResponse<String> poll = send("GET", "consume/lim.a?group=three", null);
        assertEquals(429, poll.statusCode(), poll.body());
        assertEquals(200, send("GET", "consume/lim.a?group=one", null).statusCode(), "the group that exists consumes");
    }
}
