package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TrickleTest sends request bodies a byte a second, each byte well inside the idle timeout: the
 * broker cuts them off with 400 once they are past the body's grace (10 s, and a second per KiB
 * that came), on the publish handler and on Jersey's endpoints alike, while a body at a normal
 * pace is served (docs/limits.md).
 */
class TrickleTest {
    private static String trickle(int port, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
                try {
                    out.write(' ');
                    out.flush();
                } catch (java.io.IOException closed) {
                    // the broker answered and closed: read what it said
                }
                try {
                    byte[] answer = new byte[200];
                    int n = in.read(answer);
                    if (n > 0) {
                        return (System.nanoTime() - start) / 1_000_000_000L + " s: " + new String(answer, 0, n, StandardCharsets.ISO_8859_1);
                    }
                    if (n < 0) {
                        return "closed without an answer";
                    }
                } catch (SocketTimeoutException nothingYet) {
                    // a byte a second
                }
            }
            return "still open after 30 s";
        }
    }

    @Test
    void aBodyTrickledAByteASecondIsCutOffAfterItsGrace() throws Exception {
        try (ApiBroker b = ApiBroker.start()) {
            List<CompletableFuture<String>> runs = new ArrayList<>();
            for (String path : List.of("/publish/batch/trickle", "/ack/trickle?group=g")) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return trickle(b.port, path);
                    } catch (Exception e) {
                        return e.toString();
                    }
                }));
            }
            for (CompletableFuture<String> run : runs) {
                String answer = run.get(40, TimeUnit.SECONDS);
                assertTrue(answer.contains("HTTP/1.1 400"), answer);
                long seconds = Long.parseLong(answer.substring(0, answer.indexOf(' ')));
                assertTrue(seconds >= 9 && seconds <= 15, "cut off after " + seconds + " s");
            }
            // A body at a normal pace is served.
            java.net.http.HttpResponse<String> ok = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(b.base.resolve("publish/trickle")).header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(201, ok.statusCode(), ok.body());
        }
    }

    @Test
    void headersTrickledAByteASecondCloseTheConnectionAfterFifteenSeconds() throws Exception {
        try (ApiBroker b = ApiBroker.start(); Socket s = new Socket("127.0.0.1", b.port)) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("GET /topics HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            long start = System.nanoTime();
            String outcome = "still open after 30 s";
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
                try {
                    out.write('a');
                    out.flush();
                } catch (java.io.IOException closed) {
                    outcome = "closed";
                    break;
                }
                try {
                    if (in.read() < 0) {
                        outcome = "closed";
                        break;
                    }
                } catch (SocketTimeoutException nothingYet) {
                    // a byte a second
                } catch (java.io.IOException reset) {
                    outcome = "closed";
                    break;
                }
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals("closed", outcome);
            assertTrue(seconds >= 14 && seconds <= 20, "closed after " + seconds + " s");
            // Others are served meanwhile and after.
            java.net.http.HttpResponse<String> ok = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(b.base.resolve("health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
        }
    }
}
