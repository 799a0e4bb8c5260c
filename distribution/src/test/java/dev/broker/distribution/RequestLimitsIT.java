package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RequestLimitsIT sends the image's broker request headers that announce huge bodies and then
 * nothing more, as a client that wants to exhaust its memory would: the broker must refuse what is
 * over MAX_REQUEST_SIZE at once with 413, reserve nothing for what it waits on, and keep serving
 * everyone else (docs/limits.md).
 */
class RequestLimitsIT {
    private static final int CONNECTIONS = 16;

    @Test
    void headersAnnouncingHugeBodiesCostTheBrokerNothing() throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of("BROKER_JAVA_OPTS", "-Xmx256m"))) {
            URI base = broker.base();
            long rssBefore = residentKb(broker.process.pid());
            List<Socket> held = new ArrayList<>();
            try {
                // Over MAX_REQUEST_SIZE by its header: refused before a byte of the body is read.
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket s = headerOnly(base, "/publish/batch/x", 1_040_000_000L);
                    held.add(s);
                    String status = statusLine(s.getInputStream());
                    assertTrue(status.startsWith("HTTP/1.1 413"), status);
                }
                // Under it, announced but never sent: the broker waits with a small buffer each.
                for (int i = 0; i < CONNECTIONS; i++) {
                    held.add(headerOnly(base, "/publish/batch/x", 16_000_000L));
                }
                Thread.sleep(1000);
                HttpResponse<String> ok = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("publish/limits.check"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(201, ok.statusCode(), ok.body());
                long grown = residentKb(broker.process.pid()) - rssBefore;
                assertTrue(grown < 64 * 1024, "the broker grew by " + grown + " KB for " + CONNECTIONS + " bodies it never got");
                assertTrue(broker.process.isAlive(), broker.output());
                assertTrue(!broker.output().contains("OutOfMemoryError"), broker.output());
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aBodyOverTheLimitGets413RequestTooLargeAsItArrives() throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of("MAX_REQUEST_SIZE", "65536", "MAX_MESSAGE_SIZE", "1024"))) {
            URI base = broker.base();
            // Chunked: no length in the header, so only the bytes show it is too large.
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /publish/batch/limits HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = ("[" + "\"x\",".repeat(2000) + "\"x\"]").getBytes(StandardCharsets.US_ASCII);
                String status = null;
                try {
                    for (int i = 0; i < 20; i++) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException closedOnUs) {
                    // the broker answered and closed while more was on its way
                }
                String answer = new String(s.getInputStream().readNBytes(600), StandardCharsets.UTF_8);
                status = answer.lines().findFirst().orElse("");
                assertTrue(status.startsWith("HTTP/1.1 413"), answer);
                assertTrue(answer.contains("request-too-large") && answer.contains("MAX_REQUEST_SIZE"), answer);
            }
        }
    }

    @Test
    void aRequestSizeUnderTheMessageSizeIsOneClearLineAtStartUp() throws Exception {
        try (RunningImage broker = RunningImage.launch(RunningImage.image(),
                Map.of("MAX_REQUEST_SIZE", "2048", "MAX_MESSAGE_SIZE", "4096"), "--port", "0")) {
            assertEquals(2, broker.exitCode(60), broker.output());
            assertTrue(broker.output().contains("MAX_REQUEST_SIZE (2048 bytes) must be at least MAX_MESSAGE_SIZE (4096 bytes)"),
                    broker.output());
        }
    }

    private static Socket headerOnly(URI base, String path, long contentLength) throws IOException {
        Socket s = new Socket(base.getHost(), base.getPort());
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    private static long residentKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
