package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * OriginTest sends real WebSocket upgrade requests with and without an {@code Origin} header, as a
 * browser and a non-browser client do, and checks that WS_ALLOWED_ORIGINS decides which may open
 * {@code /ws} (docs/limits.md).
 */
class OriginTest {

    @Test
    void byDefaultAPageFromAnyOriginMayConnect() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of())) {
            assertTrue(upgrade(broker.ws, "http://evil.example").startsWith("HTTP/1.1 101"));
            assertTrue(upgrade(broker.ws, null).startsWith("HTTP/1.1 101"));
        }
    }

    @Test
    void onlyTheListedOriginsMayConnectAndClientsWithoutAnOriginAlways() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of("WS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000"))) {
            assertTrue(upgrade(broker.ws, "https://app.example.com").startsWith("HTTP/1.1 101"));
            assertTrue(upgrade(broker.ws, "HTTPS://APP.example.com").startsWith("HTTP/1.1 101"), "origins compare without case");
            assertTrue(upgrade(broker.ws, "http://localhost:3000").startsWith("HTTP/1.1 101"));
            assertTrue(upgrade(broker.ws, null).startsWith("HTTP/1.1 101"));
            for (String other : new String[] {"http://evil.example", "http://app.example.com", "https://app.example.com:8443",
                    "http://localhost:3001", "null"}) {
                String answer = upgrade(broker.ws, other);
                assertTrue(answer.startsWith("HTTP/1.1 403"), other + ": " + answer);
                assertTrue(answer.contains("application/problem+json") && answer.contains("urn:broker:error:forbidden")
                        && answer.contains("WS_ALLOWED_ORIGINS"), answer);
            }
            // The refused upgrades cost nothing: an allowed client still publishes and is answered.
            try (WsClient c = broker.connect()) {
                c.send("type", "publish", "topic", TestBroker.topic("origin"), "data", 1);
                assertEquals("published", c.next("published").get("type"));
            }
        }
    }

    /** upgrade sends one WebSocket upgrade request and returns the start of the answer. */
    private static String upgrade(URI ws, String origin) throws IOException {
        try (Socket s = new Socket(ws.getHost(), ws.getPort())) {
            s.setSoTimeout(10_000);
            String request = "GET " + ws.getPath() + " HTTP/1.1\r\nHost: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] buffer = new byte[2048];
            int n = 0;
            long deadline = System.currentTimeMillis() + 10_000;
            while (n < buffer.length && System.currentTimeMillis() < deadline) {
                int r = s.getInputStream().read(buffer, n, buffer.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
                String sofar = new String(buffer, 0, n, StandardCharsets.UTF_8);
                if (sofar.startsWith("HTTP/1.1 101") && sofar.contains("\r\n\r\n") || sofar.contains("}")) {
                    break;
                }
            }
            return new String(buffer, 0, n, StandardCharsets.UTF_8);
        }
    }
}
