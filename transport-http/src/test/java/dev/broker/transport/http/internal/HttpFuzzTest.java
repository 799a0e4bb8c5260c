package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * HttpFuzzTest sends seeded, malformed HTTP requests over raw sockets (methods, paths, headers,
 * bodies, encodings, sizes) to a broker with small limits, while a well-behaved client publishes
 * and consumes beside them: no request may get a 5xx (but 505, HTTP's answer to a request line
 * whose version it does not know), and the good client loses nothing and is
 * never refused. A failure prints the seed and the request to replay ({@code -Dfuzz.seed},
 * {@code -Dfuzz.requests}).
 */
class HttpFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261203L);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 2_500);
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "POST", "POST", "G\u00c9T", "BREW"};
    private static final String[] PATHS = {"/publish/fz", "/publish/batch/fz", "/consume/fz?group=g", "/consume/fz/batch?group=g&limit=5",
        "/ack/fz?group=g", "/nack/fz?group=g", "/extend/fz?group=g", "/subscribe/fz", "/topics", "/topics/fz/stats",
        "/topics/fz/messages?from=0&limit=3", "/topics/fz/dlq/redrive?group=g", "/health", "/openapi.json", "/publish/",
        "/publish/a..b", "/publish/%2e%2e", "/consume/fz?group=g&wait=abc", "/consume/fz?group=g&ack=maybe", "/nothing"};
    private static final String[] BODIES = {"{\"n\":1}", "[1,2,3]", "{\"receipts\":[\"1.2.x\"]}", "{\"group\":\"g2\",\"startFrom\":\"latest\"}",
        "{\"reason\":\"r\",\"delay\":\"1s\",\"receipts\":[\"a\"]}", "\"s\"", "null", "[]", ""};

    private static byte[] request(Random r) {
        String method = METHODS[r.nextInt(METHODS.length)];
        String path = PATHS[r.nextInt(PATHS.length)];
        if (r.nextInt(6) == 0) {
            path = mutate(r, path);
        }
        byte[] body = BODIES[r.nextInt(BODIES.length)].getBytes(StandardCharsets.UTF_8);
        switch (r.nextInt(8)) {
            case 0 -> body = mutate(r, new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            case 1 -> body = ("[" + "{\"pad\":\"" + "x".repeat(r.nextInt(40_000)) + "\"},".repeat(1 + r.nextInt(3)) + "1]")
                    .getBytes(StandardCharsets.UTF_8);
            case 2 -> {
                body = new byte[r.nextInt(200)];
                r.nextBytes(body); // not UTF-8, not JSON
            }
            default -> { }
        }
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(r.nextInt(20) == 0 ? " HTTP/1.0" : " HTTP/1.1")
                .append("\r\nHost: 127.0.0.1\r\n");
        String[] types = {"application/json", "application/json; charset=utf-8", "text/plain", "application/json; charset=latin1", ""};
        String type = types[r.nextInt(types.length)];
        if (!type.isEmpty()) {
            head.append("Content-Type: ").append(type).append("\r\n");
        }
        boolean chunked = r.nextInt(6) == 0;
        switch (r.nextInt(6)) {
            case 0 -> head.append("Content-Length: ").append(body.length + r.nextInt(5) - 2).append("\r\n"); // off by a few
            case 1 -> head.append("Content-Length: ").append(r.nextBoolean() ? "1040000000" : "-1").append("\r\n");
            default -> {
                if (chunked) {
                    head.append("Transfer-Encoding: chunked\r\n");
                } else {
                    head.append("Content-Length: ").append(body.length).append("\r\n");
                }
            }
        }
        if (r.nextInt(3) == 0) {
            head.append("X-Msg-").append(r.nextBoolean() ? "trace" : "x-redrive-group").append(": ")
                    .append(r.nextBoolean() ? "v" : "\u00e9\u0000".repeat(r.nextInt(3))).append("\r\n");
        }
        if (r.nextInt(10) == 0) {
            head.append("X-Long: ").append("y".repeat(r.nextInt(20_000))).append("\r\n");
        }
        if (r.nextInt(10) == 0) {
            head.append(mutate(r, "Broken-Header: value")).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (chunked && r.nextBoolean()) {
            out.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body);
            out.writeBytes((r.nextBoolean() ? "\r\n0\r\n\r\n" : "\r\nzz\r\n").getBytes(StandardCharsets.US_ASCII));
        } else {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private static String mutate(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        for (int e = 0; e < 1 + r.nextInt(3); e++) {
            int at = b.length() == 0 ? 0 : r.nextInt(b.length());
            switch (r.nextInt(5)) {
                case 0 -> b.insert(at, (char) r.nextInt(0x80));
                case 1 -> { if (b.length() > 0) { b.deleteCharAt(at); } }
                case 2 -> b.insert(at, "%" + Integer.toHexString(r.nextInt(256)));
                case 3 -> b.insert(at, (char) (0x80 + r.nextInt(0x700)));
                default -> b.setLength(at);
            }
        }
        return b.toString();
    }

    /** send writes one request and returns its status, or 0 if the server closed without one. */
    private static int send(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                s.shutdownOutput();
            } catch (IOException refusedMidway) {
                // the server may answer and close before the whole request is written
            }
            InputStream in = s.getInputStream();
            byte[] first = new byte[16];
            int n = 0;
            try {
                while (n < first.length) {
                    int k = in.read(first, n, first.length - n);
                    if (k < 0) {
                        break;
                    }
                    n += k;
                }
            } catch (SocketTimeoutException stuck) {
                return -1;
            } catch (IOException reset) {
                // a reset after the answer started is fine; before it, nothing came
            }
            Matcher m = STATUS.matcher(new String(first, 0, n, StandardCharsets.ISO_8859_1));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }
    }

    @Test
    void malformedRequestsGetNo5xxAndAWellBehavedClientLosesNothing() throws Exception {
        try (ApiBroker b = ApiBroker.start("MAX_MESSAGE_SIZE", "16384", "MAX_REQUEST_SIZE", "65536", "MAX_BATCH_SIZE", "50",
                "MAX_QUEUE_SIZE", "10000000")) {
            HttpClient good = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            // The group that checks at the end exists from the start, so it sees every message.
            assertEquals(201, good.send(HttpRequest.newBuilder(b.base.resolve("subscribe/good")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"group\":\"check\"}")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger published = new AtomicInteger();
            List<String> refused = new ArrayList<>();
            Thread publisher = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        HttpResponse<String> r = good.send(HttpRequest.newBuilder(b.base.resolve("publish/good"))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"i\":" + i + "}"))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 201) {
                            published.incrementAndGet();
                        } else {
                            synchronized (refused) {
                                refused.add(r.statusCode() + " " + r.body());
                            }
                        }
                    } catch (Exception e) {
                        synchronized (refused) {
                            refused.add(e.toString());
                        }
                    }
                }
            });
            publisher.start();

            Random r = new Random(SEED);
            int answered = 0;
            for (int i = 0; i < REQUESTS; i++) {
                byte[] request = request(r);
                int status = send(b.port, request);
                // 505 is HTTP's own answer to a request line without a version it knows (Jetty's
                // parser gives it); every other 5xx would be the broker failing.
                if ((status >= 500 && status != 505) || status == -1) {
                    fail("request " + i + " (seed " + SEED + ") got " + (status == -1 ? "no answer in 10 s" : status) + ":\n"
                            + new String(request, 0, Math.min(request.length, 2000), StandardCharsets.ISO_8859_1));
                }
                if (status > 0) {
                    answered++;
                }
            }
            stop.set(true);
            publisher.join(30_000);
            assertTrue(answered > REQUESTS / 2, "most malformed requests are answered (4xx), not just dropped: " + answered);
            synchronized (refused) {
                assertEquals(List.of(), refused, "the well-behaved client was refused");
            }
            // Everything it published is there, once, in order.
            Pattern n = Pattern.compile("\"i\":(\\d+)");
            List<Integer> seen = new ArrayList<>();
            while (true) {
                HttpResponse<String> got = good.send(HttpRequest.newBuilder(b.base.resolve("consume/good/batch?group=check&limit=1000"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, got.statusCode(), got.body());
                Matcher m = n.matcher(got.body());
                int before = seen.size();
                while (m.find()) {
                    seen.add(Integer.parseInt(m.group(1)));
                }
                if (seen.size() == before) {
                    break;
                }
            }
            assertEquals(published.get(), seen.size(), "every answered publish is stored once");
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(i, seen.get(i));
            }
            System.out.println("[http-fuzz] " + REQUESTS + " malformed requests (seed " + SEED + "), " + answered
                    + " answered, none 5xx; the good client published " + published.get() + ", all consumed once");
        }
    }
}
