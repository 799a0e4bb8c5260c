package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
