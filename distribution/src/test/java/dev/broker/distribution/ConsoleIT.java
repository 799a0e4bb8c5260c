package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ConsoleIT runs the admin console of the built image end to end in headless Chromium, driven by
 * playwright-core from npm over the DevTools protocol ({@code browser/console-e2e.mjs}, which
 * asserts each step). Screenshots of each page go to {@code target/console-screenshots/}. Skipped,
 * saying so, where Chromium ({@code apt-get install chromium}), node or the script's npm package
 * ({@code npm ci --prefix distribution/browser}) is missing; {@code .ci/run} installs all three.
 */
class ConsoleIT {
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable");
    private static final Path SCRIPT_DIR = Path.of("browser").toAbsolutePath();
    private static final Path SHOTS = Path.of("target", "console-screenshots").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theConsoleShowsTopicsPublishesAndRedrivesDeadLetters() throws Exception {
        Path browser = browser();
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of())) {
            run(browser, "open", broker.base(), Map.of());
        }
    }

    @Test
    void withAuthenticationOnTheConsoleRefusesAWrongTokenAndDisablesWhatATokenMayNotDo() throws Exception {
        Path browser = browser();
        Path tokens = Files.writeString(dir.resolve("tokens.json"), "["
                + "{\"name\":\"ops\",\"sha256\":\"" + sha256("ops-secret") + "\",\"publish\":[\">\"],\"consume\":[\">\",\"dlq.>\"],\"admin\":true},"
                + "{\"name\":\"reader\",\"sha256\":\"" + sha256("reader-secret") + "\",\"consume\":[\"orders.>\"]}]");
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of("AUTH_TOKENS_FILE", tokens.toString()))) {
            run(browser, "auth", broker.base(), Map.of("TOKENS", "ops-secret,reader-secret,not-a-token"));
        }
    }

    @Test
    void theConsoleIsServedWithoutATokenUnderAPolicyThatKeepsItOnTheBrokersOrigin() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens.json"),
                "[{\"name\":\"ops\",\"sha256\":\"" + sha256("ops-secret") + "\",\"admin\":true}]");
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of("AUTH_TOKENS_FILE", tokens.toString()))) {
            assertTrue(broker.output().contains(broker.base().resolve("ui/").toString().replace("127.0.0.1", "0.0.0.0")),
                    "the start-up line names the console:\n" + broker.output());
            HttpResponse<String> page = Http.get(broker.base(), "ui/");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>Broker console</title>"), page.body());
            String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(policy.contains("default-src 'none'") && policy.contains("script-src 'self'")
                    && policy.contains("connect-src 'self'"), policy);
            assertEquals(200, Http.get(broker.base(), "ui/vendor/uplot/uPlot.esm.js").statusCode());
            assertEquals(301, Http.get(broker.base(), "ui").statusCode());
            // The page is open; the broker's data is not.
            assertEquals(401, Http.get(broker.base(), "topics").statusCode());
        }
    }

    @Test
    void withoutTheConsoleJarThereIsNoUiAndEverythingElseServes() throws Exception {
        Path copy = dir.resolve("image");
        Process cp = new ProcessBuilder("cp", "-a", RunningImage.image().toString(), copy.toString()).inheritIO().start();
        assertEquals(0, cp.waitFor());
        Path jar;
        try (java.util.stream.Stream<Path> s = Files.list(copy.resolve("modules"))) {
            jar = s.filter(p -> p.getFileName().toString().startsWith("admin-ui-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no admin-ui jar in the image"));
        }
        Files.delete(jar);
        try (RunningImage broker = RunningImage.start(copy, Map.of())) {
            assertTrue(!broker.output().contains("/ui/") && broker.output().contains("/ws"), broker.output());
            assertEquals(404, Http.get(broker.base(), "ui/").statusCode());
            assertEquals(201, Http.post(broker.base(), "publish/still.served", "{\"n\":1}").statusCode());
            assertEquals(200, Http.get(broker.base(), "topics").statusCode());
        }
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** browser is the Chromium to drive, or the test is skipped saying what is missing. */
    private static Path browser() {
        Path browser = BROWSERS.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (browser == null) {
            System.out.println("[console] SKIPPED: no Chromium found (" + String.join(", ", BROWSERS)
                    + "); install it with 'apt-get install chromium' to test the admin console");
        }
        Assumptions.assumeTrue(browser != null, "Chromium is not installed");
        boolean node = Path.of("/usr/bin/node").toFile().canExecute() || Path.of("/usr/local/bin/node").toFile().canExecute();
        boolean playwright = Files.isDirectory(SCRIPT_DIR.resolve("node_modules/playwright-core"));
        if (!node || !playwright) {
            System.out.println("[console] SKIPPED: " + (node ? "playwright-core is not installed in " + SCRIPT_DIR
                    + "; run 'npm ci --prefix distribution/browser'" : "node is not installed") + " to test the admin console");
        }
        Assumptions.assumeTrue(node && playwright, "node or playwright-core is missing");
        return browser;
    }

    /** run runs one scenario of the script against the broker; it fails with the script's report. */
    private static void run(Path browser, String scenario, URI base, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("console-" + scenario, ".log");
        ProcessBuilder pb = new ProcessBuilder("node", SCRIPT_DIR.resolve("console-e2e.mjs").toString(), scenario,
                base.toString(), SHOTS.toString()).directory(SCRIPT_DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("CHROMIUM", browser.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            boolean ended = p.waitFor(180, TimeUnit.SECONDS);
            String report = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(report);
            assertTrue(ended, "the browser test did not end within 180 s:\n" + report);
            assertEquals(0, p.exitValue(), "the browser test failed:\n" + report);
            assertTrue(report.contains(", 0 failed"), report);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
