package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BrowserTest runs the seed README's JavaScript WebSocket example in a real browser: headless
 * Chromium loads a local page whose script is the example, pointed at this broker, and writes
 * what the example logs into the page; the test reads the page back through the DevTools protocol.
 * Skipped, saying so, where Chromium is not installed ({@code apt-get install chromium}).
 */
class BrowserTest {
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable");
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start(Map.of());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /**
     * page is the seed example with its address pointed at this broker. A browser refuses
     * {@code send} before the socket is open (InvalidStateError), which the seed's snippet does
     * right after {@code new WebSocket}: its two sends are wrapped, exactly as written, in
     * {@code ws.onopen}, as the README's own version does. {@code console.log} also writes each
     * line into the page, so that the dumped DOM shows what the example logged.
     */
    private static String page(int port) {
        return """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>seed example</title></head>
                <body><pre id="log"></pre><div id="state">running</div>
                <script>
                const log = document.getElementById('log');
                let received;
                const seen = new Set();
                window.seedDone = new Promise(resolve => { received = resolve; });
                setTimeout(() => received('timeout'), 10000);
                const originalLog = console.log;
                console.log = (...args) => {
                  log.textContent += args.map(a => typeof a === 'string' ? a : JSON.stringify(a)).join(' ') + '\\n';
                  if (args[1] && args[1].type) {
                    seen.add(args[1].type);
                  }
                  if (seen.has('subscribed') && seen.has('published') && seen.has('message')) {
                    document.getElementById('state').textContent = 'received';
                    received('received');
                  }
                  originalLog(...args);
                };
                window.onerror = (message) => { log.textContent += 'ERROR ' + message + '\\n'; };

                // ---- the seed README's example; only the address differs ----
                const ws = new WebSocket('ws://127.0.0.1:PORT/ws');

                // Not in the seed: a browser throws InvalidStateError on a send before the socket
                // is open, so the seed's two sends, as written, run once it is.
                ws.onopen = () => {
                // Subscribe to topic
                ws.send(JSON.stringify({
                  type: 'subscribe',
                  topic: 'user.events'
                }));

                // Publish message
                ws.send(JSON.stringify({
                  type: 'publish',
                  topic: 'user.events',
                  data: {
                    userId: 123,
                    action: 'login'
                  }
                }));
                };

                // Handle messages
                ws.onmessage = (event) => {
                  const message = JSON.parse(event.data);
                  console.log('Received:', message);
                };
                // ---- end of the example ----
                ws.onerror = () => { log.textContent += 'ERROR websocket\\n'; };
                </script>
                </body></html>
                """.replace("PORT", Integer.toString(port));
    }

    @Test
    void seedJavaScriptExampleWorksInABrowser(@TempDir Path dir) throws Exception {
        Path browser = BROWSERS.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (browser == null) {
            System.out.println("[browser] SKIPPED: no Chromium found (" + String.join(", ", BROWSERS)
                    + "); install it with 'apt-get install chromium' to run the seed's JavaScript example");
        }
        Assumptions.assumeTrue(browser != null, "Chromium is not installed");

        Path html = dir.resolve("seed-example.html");
        Files.writeString(html, page(broker.ws.getPort()), StandardCharsets.UTF_8);
        String dom = dumpDom(browser, html, dir.resolve("profile"));

        List<Map<String, Object>> logged = new ArrayList<>();
        Matcher pre = Pattern.compile("<pre id=\"log\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(pre.find(), "the page has its log:\n" + dom);
        String log = unescape(pre.group(1));
        assertTrue(!log.contains("ERROR"), "the page logged an error:\n" + log);
        Matcher line = Pattern.compile("^Received: (\\{.*})$", Pattern.MULTILINE).matcher(log);
        while (line.find()) {
            logged.add(Json.parseObject(line.group(1)));
        }
        Map<String, Object> message = logged.stream().filter(m -> "message".equals(m.get("type"))).findFirst().orElseThrow(
                () -> new AssertionError("no message logged:\n" + dom));
        assertEquals("user.events", message.get("topic"));
        assertEquals("user.events", message.get("subscription"));
        assertEquals(Map.of("userId", 123L, "action", "login"), message.get("data"));
        assertEquals(0L, message.get("retryCount"));
        assertTrue(logged.stream().anyMatch(m -> "subscribed".equals(m.get("type"))), "subscribed was logged: " + logged);
        assertTrue(logged.stream().anyMatch(m -> "published".equals(m.get("type"))), "published was logged: " + logged);
        assertTrue(logged.stream().noneMatch(m -> "error".equals(m.get("type"))), "no error frame: " + logged);
    }

    /**
     * dumpDom opens the page in headless Chromium and returns its DOM once the example has logged
     * its subscribed, published and message frames (or given up after 10 s). {@code --dump-dom}
     * would dump it right after the load event, before any WebSocket frame, and its virtual time
     * does not wait for WebSockets; so the test asks through the DevTools protocol instead: wait
     * for the page's promise, then read {@code document.documentElement.outerHTML}.
     */
    private static String dumpDom(Path browser, Path html, Path profile) throws Exception {
        List<String> command = List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", html.toUri().toString());
        Path err = profile.resolveSibling("chromium.log");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        try {
            int port = devToolsPort(p, err);
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pageSocket == null) {
                assertTrue(System.nanoTime() < deadline, "Chromium opened no page; its log:\n" + tail(err));
                String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                for (Object t : (List<?>) Json.parse(targets)) {
                    Map<?, ?> target = (Map<?, ?>) t;
                    if ("page".equals(target.get("type")) && String.valueOf(target.get("url")).startsWith("file:")) {
                        pageSocket = (String) target.get("webSocketDebuggerUrl");
                    }
                }
                if (pageSocket == null) {
                    Thread.sleep(50);
                }
            }
            try (WsClient devTools = WsClient.connect(URI.create(pageSocket), 40)) {
                String state = evaluate(devTools, 1, "new Promise(r => { const wait = () => window.seedDone"
                        + " ? window.seedDone.then(r) : setTimeout(wait, 50); wait(); })");
                String dom = evaluate(devTools, 2, "document.documentElement.outerHTML");
                assertEquals("received", state, "the example's frames came back within 10 s; the page:\n" + dom);
                return dom;
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** devToolsPort reads the port Chromium's DevTools server listens on from its log. */
    private static int devToolsPort(Process p, Path err) throws Exception {
        Pattern listening = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(Files.readString(err, StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertTrue(p.isAlive(), "Chromium exited with " + (p.isAlive() ? "" : p.exitValue()) + "; its log:\n" + tail(err));
            Thread.sleep(50);
        }
        throw new AssertionError("Chromium did not start its DevTools server within 30 s; its log:\n" + tail(err));
    }

    /**
     * evaluate runs an expression in the page, awaiting it if it is a promise, and returns its
     * string value. It asks again while the page is still being set up (no context yet).
     */
    private static String evaluate(WsClient devTools, int id, String expression) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int attempt = 0; ; attempt++) {
            int requestId = id * 1000 + attempt;
            devTools.send("id", requestId, "method", "Runtime.evaluate", "params", Map.of("expression", expression,
                    "awaitPromise", true, "returnByValue", true));
            Map<String, Object> reply;
            do {
                reply = devTools.next();
            } while (!Long.valueOf(requestId).equals(reply.get("id")));
            Map<?, ?> result = reply.get("result") instanceof Map<?, ?> r ? (Map<?, ?>) r.get("result") : null;
            if (result != null && result.get("value") instanceof String value) {
                return value;
            }
            assertTrue(System.nanoTime() < deadline, "DevTools could not evaluate " + expression + ": " + reply);
            Thread.sleep(100);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** unescape undoes the HTML escaping of the dumped text. */
    private static String unescape(String html) {
        return html.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
