package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SlowBodiesTest opens more connections than the web server has threads, each sending the headers
 * of a request with a body (an ack) and then nothing: no thread may wait on those bodies, so every
 * other client is still served at once (docs/limits.md).
 */
class SlowBodiesTest {
    /** More than the web server's 200 threads. */
    private static final int SILENT = 260;

    @Test
    void bodiesThatNeverComeHoldNoThread() throws Exception {
        try (ApiBroker broker = ApiBroker.start()) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < SILENT; i++) {
                    Socket s = new Socket("127.0.0.1", broker.port);
                    s.getOutputStream().write(("POST /ack/slow.bodies?group=g HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"rec").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    silent.add(s);
                }
                Thread.sleep(500);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> topics = http.send(HttpRequest.newBuilder(broker.base.resolve("topics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, topics.statusCode(), topics.body());
                HttpResponse<String> ack = http.send(HttpRequest.newBuilder(broker.base.resolve("ack/slow.bodies?group=g"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"receipts\":[\"x\"]}")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ack.statusCode(), ack.body());
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
        }
    }
}
