package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ImageIT checks the image as an operator meets it: its contents, its start-up errors, its
 * WebSocket endpoint, and that plugins are jars that can be taken out or dropped in.
 */
class ImageIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void imageHoldsTheRuntimeTheModulesAndTheLauncher() throws Exception {
        Path image = RunningImage.image();
        assertTrue(Files.isExecutable(image.resolve("bin/broker")));
        assertTrue(Files.isExecutable(image.resolve("bin/java")));
        assertTrue(Files.isDirectory(image.resolve("plugins")));
        String release = Files.readString(image.resolve("release"));
        assertTrue(release.contains("jdk.httpserver"), "the runtime lacks jdk.httpserver, which Jersey needs");
        assertFalse(release.contains("java.desktop"), "the runtime holds java.desktop, which the broker does not need");
        assertTrue(Files.exists(websocketJar(image)));
    }

    @Test
    void helpListsEverySettingAndExits() throws Exception {
        try (RunningImage help = RunningImage.launch(RunningImage.image(), Map.of(), "--help")) {
            assertEquals(0, help.exitCode(30));
            for (String variable : List.of("PORT", "PERSISTENCE_ENABLED", "RETENTION_HOURS", "MAX_MESSAGE_SIZE",
                    "MAX_QUEUE_SIZE", "DATA_DIR", "MAX_BATCH_SIZE", "ACK_TIMEOUT", "MAX_DELIVERIES", "OVERFLOW_POLICY",
                    "FSYNC", "STORE_CACHE_MB", "STORE", "TRANSPORTS", "WS_MAX_UNANSWERED", "WS_RATE_LIMIT")) {
                assertTrue(help.output().contains("[" + variable + "]"), variable + " missing from --help:\n" + help.output());
            }
        }
    }

    @Test
    void aBadSettingStopsStartUpWithOneLine() throws Exception {
        try (RunningImage bad = RunningImage.launch(RunningImage.image(), Map.of("MAX_QUEUE_SIZE", "lots"))) {
            assertEquals(2, bad.exitCode(30));
            assertEquals("broker: MAX_QUEUE_SIZE (--max-queue-size) is 'lots' but must be a number of messages from 1 to 100000000",
                    bad.output().trim());
        }
    }

    @Test
    void aMissingRequestedStoreStopsStartUp() throws Exception {
        try (RunningImage bad = RunningImage.launch(RunningImage.image(), Map.of("PERSISTENCE_ENABLED", "true",
                "STORE", "cassandra"), "--port", "0")) {
            assertEquals(1, bad.exitCode(30));
            assertTrue(bad.output().contains("broker: STORE=cassandra asks for the store plugin 'cassandra', which is not"
                    + " installed (installed: jetstream, memory, mvstore)"), bad.output());
        }
    }

    @Test
    void webSocketPublishReachesABroadcastSubscriber() throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of())) {
            Frames frames = new Frames();
            WebSocket ws = connect(broker, frames);
            ws.sendText("{\"type\":\"subscribe\",\"topic\":\"user.events\"}", true).join();
            assertTrue(frames.next().contains("\"subscribed\""));
            ws.sendText("{\"type\":\"publish\",\"topic\":\"user.events\",\"data\":{\"userId\":123,\"action\":\"login\"}}", true).join();
            String a = frames.next();
            String b = frames.next();
            assertTrue((a + b).contains("\"type\":\"published\""), a + b);
            assertTrue((a + b).contains("\"data\":{\"userId\":123,\"action\":\"login\"}"), a + b);

            // A publish over HTTP reaches the WebSocket subscriber too.
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(broker.base().resolve("publish/user.events"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[1,2]")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, r.statusCode());
            assertTrue(frames.next().contains("\"data\":[1,2]"));
        }
    }

    @Test
    void withoutTheWebSocketJarTheBrokerServesHttpOnlyAndAPluginDroppedInIsFound() throws Exception {
        Path copy = copyImage();
        Path jar = websocketJar(copy);
        Path aside = temp.resolve(jar.getFileName());
        Files.move(jar, aside);

        try (RunningImage broker = RunningImage.start(copy, Map.of())) {
            assertFalse(broker.output().contains("ws://"), broker.output());
            HttpResponse<String> ws = HTTP.send(HttpRequest.newBuilder(broker.base().resolve("ws")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, ws.statusCode());
            HttpResponse<String> publish = HTTP.send(HttpRequest.newBuilder(broker.base().resolve("publish/still.http"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("1")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, publish.statusCode(), publish.body());
            try {
                connect(broker, new Frames());
                throw new AssertionError("a WebSocket connected to a broker without the websocket plugin");
            } catch (CompletionException e) {
                assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
            }
        }

        try (RunningImage broker = RunningImage.launch(copy, Map.of("TRANSPORTS", "http,websocket"), "--port", "0")) {
            assertEquals(1, broker.exitCode(30));
            assertTrue(broker.output().contains("broker: TRANSPORTS names 'websocket', which is not installed (installed: http, ui)"),
                    broker.output());
        }

        // Dropped into plugins/, the jar is found at the next start.
        Files.move(aside, copy.resolve("plugins").resolve(jar.getFileName()));
        try (RunningImage broker = RunningImage.start(copy, Map.of())) {
            assertTrue(broker.output().contains("/ws"), broker.output());
            Frames frames = new Frames();
            WebSocket ws = connect(broker, frames);
            ws.sendText("{\"type\":\"publish\",\"topic\":\"from.plugin\",\"data\":true,\"messageId\":\"p\"}", true).join();
            assertTrue(frames.next().contains("\"messageId\":\"p\""));
        }
    }

    private static Path websocketJar(Path image) throws Exception {
        try (Stream<Path> s = Files.list(image.resolve("modules"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("transport-websocket-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no transport-websocket jar in " + image));
        }
    }

    /** copyImage copies the image with cp -a, which keeps the runtime's file modes. */
    private Path copyImage() throws Exception {
        Path copy = temp.resolve("image");
        Process cp = new ProcessBuilder("cp", "-a", RunningImage.image().toString(), copy.toString()).inheritIO().start();
        assertEquals(0, cp.waitFor());
        return copy;
    }

    private static WebSocket connect(RunningImage broker, Frames frames) {
        URI ws = URI.create("ws://127.0.0.1:" + broker.base().getPort() + "/ws");
        return HTTP.newWebSocketBuilder().buildAsync(ws, frames).join();
    }
}
