package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.client.BrokerClient;
import dev.broker.client.ConsumeOptions;
import dev.broker.client.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BrokerCliIT runs the image's {@code bin/broker-cli} as a process against the image's broker,
 * every command, with good and bad input, and checks what it prints and its exit status:
 * 0 success, 1 the broker refused (or could not be reached), 2 bad usage.
 */
class BrokerCliIT {
    private static RunningImage broker;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        broker = RunningImage.start(RunningImage.image(), Map.of("MAX_DELIVERIES", "1"));
        url = broker.base().toString();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    /** Run is one finished run of bin/broker-cli. */
    record Run(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "status " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static ProcessBuilder command(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(RunningImage.image().resolve("bin/broker-cli").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("BROKER_URL");
        pb.environment().remove("BROKER_TOKEN");
        pb.environment().putAll(env);
        return pb;
    }

    static Run run(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        Path in = Files.createTempFile("cli", ".in");
        try {
            Files.writeString(in, stdin);
            Process p = command(env, args).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("broker-cli " + String.join(" ", args) + " did not finish:\n" + Files.readString(err));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(in);
        }
    }

    static Run cli(String... args) throws Exception {
        return run(Map.of("BROKER_URL", url), "", args);
    }

    @Test
    void pubPrintsWhereEachMessageWentFromAnArgumentAndFromStandardInput() throws Exception {
        Run one = cli("pub", "cli.pub", "{\"id\":1}", "-H", "source=shop");
        assertEquals(0, one.status, one.toString());
        assertTrue(one.out.matches("\\{\"id\":\"[0-9a-f-]{36}\",\"topic\":\"cli.pub\",\"offset\":0}\\R"), one.toString());

        Run lines = run(Map.of("BROKER_URL", url), "{\"id\":2}\n\n\"three\"\n", "pub", "cli.pub", "-");
        assertEquals(0, lines.status, lines.toString());
        assertEquals(2, lines.lines().size(), lines.toString());
        assertTrue(lines.lines().get(1).contains("\"offset\":2"), lines.toString());

        Run consumed = cli("consume", "cli.pub", "--count", "3", "--group", "readers");
        assertEquals(0, consumed.status, consumed.toString());
        assertEquals(3, consumed.lines().size(), consumed.toString());
        assertTrue(consumed.lines().get(0).contains("\"data\":{\"id\":1},\"headers\":{\"source\":\"shop\"}"), consumed.toString());
        assertTrue(consumed.lines().get(2).contains("\"data\":\"three\""), consumed.toString());

        Run none = cli("consume", "cli.pub", "--group", "readers");
        assertEquals(0, none.status, none.toString());
        assertEquals("", none.out, "nothing left: nothing printed");
    }

    @Test
    void aBadLineOfStandardInputStopsWithStatus2AfterTheLinesBeforeIt() throws Exception {
        Run r = run(Map.of("BROKER_URL", url), "1\n{oops\n3\n", "pub", "cli.badline");
        assertEquals(2, r.status, r.toString());
        assertEquals(1, r.lines().size(), r.toString());
        assertTrue(r.err.startsWith("broker-cli: line 2 of standard input: the message is not one JSON value"), r.toString());
    }

    @Test
    void consumeWithManualAckAcksWhatItPrinted() throws Exception {
        cli("pub", "cli.manual", "1");
        Run r = cli("consume", "cli.manual", "--group", "g", "--ack", "manual", "--wait", "5s");
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.contains("\"receipt\":"), r.toString());
        Run stats = cli("stats", "cli.manual");
        assertEquals(0, stats.status, stats.toString());
        assertTrue(stats.out.contains("\"acked\" : 1"), stats.toString());
        assertTrue(stats.out.contains("\"inFlight\" : 0"), stats.toString());
    }

    @Test
    void subPrintsMessagesAndExitsAfterCount() throws Exception {
        cli("pub", "cli.sub", "\"a\"");
        cli("pub", "cli.sub", "\"b\"");
        Run r = cli("sub", "cli.sub", "--from", "earliest", "--count", "2");
        assertEquals(0, r.status, r.toString());
        assertEquals(2, r.lines().size(), r.toString());
        assertTrue(r.lines().get(0).contains("\"data\":\"a\"") && r.lines().get(1).contains("\"data\":\"b\""), r.toString());

        Run fromOffset = cli("sub", "cli.sub", "--from", "1", "--count", "1");
        assertEquals(0, fromOffset.status, fromOffset.toString());
        assertTrue(fromOffset.out.contains("\"offset\":1"), fromOffset.toString());
    }

    @Test
    void aGroupSubscriberThatIsStoppedExitsCleanlyHavingAckedWhatItPrinted() throws Exception {
        Path out = Files.createTempFile("sub", ".out");
        Process sub = command(Map.of("BROKER_URL", url), "sub", "cli.member", "--group", "w", "--ack", "manual")
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // The member receives what is published once it has joined; publish until its first line appears.
            for (int i = 0; Files.readString(out).isEmpty(); i++) {
                assertTrue(System.nanoTime() < deadline, "the subscriber printed nothing");
                assertTrue(sub.isAlive(), "the subscriber ended early");
                cli("pub", "cli.member", Integer.toString(i));
                sub.waitFor(200, TimeUnit.MILLISECONDS);
            }
            String line = Files.readString(out).lines().findFirst().orElseThrow();
            assertTrue(line.contains("\"group\":\"w\""), line);
            // Its ack is answered before it asks for the next frame: the group's acked count shows it.
            while (!cli("stats", "cli.member").out.matches("(?s).*\"acked\" : [1-9].*")) {
                assertTrue(System.nanoTime() < deadline, "no ack");
            }
        } finally {
            sub.destroy(); // SIGTERM, as a service manager stops it (Ctrl-C's SIGINT takes the same path)
        }
        assertTrue(sub.waitFor(30, TimeUnit.SECONDS), "the subscriber did not exit");
        assertEquals(0, sub.exitValue());
        Files.deleteIfExists(out);
    }

    @Test
    void topicsStatsDeleteAndTheirRefusals() throws Exception {
        cli("pub", "cli.admin", "1");
        Run topics = cli("topics");
        assertEquals(0, topics.status, topics.toString());
        assertTrue(topics.lines().get(0).matches("TOPIC +MESSAGES +FIRST +LAST"), topics.toString());
        assertTrue(topics.lines().stream().anyMatch(l -> l.matches("cli\\.admin +1 +0 +0")), topics.toString());
        Run json = cli("topics", "--json");
        assertTrue(json.lines().contains("{\"name\":\"cli.admin\",\"messages\":1,\"firstOffset\":0,\"lastOffset\":0}"), json.toString());

        Run stats = cli("stats", "cli.admin");
        assertEquals(0, stats.status, stats.toString());
        assertTrue(stats.out.contains("\"topic\" : \"cli.admin\""), stats.toString());

        Run deleted = cli("delete", "cli.admin");
        assertEquals(0, deleted.status, deleted.toString());
        assertEquals("deleted cli.admin\n", deleted.out);
        Run again = cli("delete", "cli.admin");
        assertEquals(1, again.status, again.toString());
        assertTrue(again.err.startsWith("broker-cli: the broker refused: topic-not-found (404):"), again.toString());
        Run noStats = cli("stats", "cli.admin");
        assertEquals(1, noStats.status, noStats.toString());
    }

    @Test
    void dlqShowsDeadLettersAndRedrivesThem() throws Exception {
        cli("pub", "cli.dlq", "{\"order\":9}");
        try (BrokerClient client = BrokerClient.connect(url)) {
            Message m = client.consume("cli.dlq", ConsumeOptions.defaults().inGroup("billing").manualAck()).orElseThrow();
            client.nack("cli.dlq", "billing", List.of(m.receipt().orElseThrow()), "card declined", java.time.Duration.ZERO);
        }
        Run dead = cli("dlq", "cli.dlq");
        assertEquals(0, dead.status, dead.toString());
        assertEquals(1, dead.lines().size(), dead.toString());
        assertTrue(dead.out.contains("\"x-last-error\":\"card declined\""), dead.toString());
        assertTrue(dead.out.contains("\"data\":{\"order\":9}"), dead.toString());

        Run redrive = cli("dlq", "cli.dlq", "--redrive", "--group", "billing");
        assertEquals(0, redrive.status, redrive.toString());
        assertEquals("{\"redriven\":1}\n", redrive.out);
        Run back = cli("consume", "cli.dlq", "--group", "billing");
        assertTrue(back.out.contains("\"data\":{\"order\":9}"), back.toString());

        Run noGroup = cli("dlq", "cli.nosuch", "--redrive", "--group", "billing");
        assertEquals(1, noGroup.status, noGroup.toString());
    }

    @Test
    void theBrokerRefusingIsStatus1() throws Exception {
        Run badTopic = cli("pub", "a..b", "1");
        assertEquals(1, badTopic.status, badTopic.toString());
        assertTrue(badTopic.err.startsWith("broker-cli: the broker refused: invalid-topic (400): 'a..b'"), badTopic.toString());
        Run badPattern = cli("sub", "a..>", "--count", "1");
        assertEquals(1, badPattern.status, badPattern.toString());
        assertTrue(badPattern.err.contains("invalid-topic"), badPattern.toString());

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run unreachable = run(Map.of("BROKER_URL", "http://127.0.0.1:" + port), "", "topics");
        assertEquals(1, unreachable.status, unreachable.toString());
        assertTrue(unreachable.err.contains("could not be reached"), unreachable.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "frobnicate", "pub", "pub cli.x {nope", "pub cli.x 1 -H noequals", "sub cli.x --count 0",
            "sub cli.x --ack manual", "sub cli.x --from yesterday", "consume cli.x --count 5000", "consume cli.x --wait 5x",
            "consume cli.x --wait 31s", "consume cli.x --ack sometimes", "dlq cli.x --redrive", "stats", "delete",
            "topics --url ftp://nowhere", "topics --bogus"})
    void badUsageIsStatus2WithOneLineAndAPointerToHelp(String args) throws Exception {
        Run r = cli(args.isEmpty() ? new String[0] : args.split(" "));
        assertEquals(2, r.status, r.toString());
        List<String> err = r.err.lines().toList();
        assertEquals(2, err.size(), r.toString());
        assertTrue(err.get(0).startsWith("broker-cli: "), r.toString());
        assertTrue(err.get(1).matches("Try 'broker-cli( [a-z]+)? --help' for more\\."), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "pub", "sub", "consume", "topics", "stats", "dlq", "delete"})
    void everyCommandHasHelp(String command) throws Exception {
        Run r = cli(command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"});
        assertEquals(0, r.status, r.toString());
        assertTrue(r.out.startsWith("Usage: broker-cli" + (command.isEmpty() ? "" : " " + command)), r.toString());
        assertTrue(r.out.contains("--url"), r.toString());
    }

    @Test
    void theCompletionScriptIsValidBashAndKnowsTheCommands() throws Exception {
        Run r = cli("generate-completion");
        assertEquals(0, r.status, r.toString());
        for (String c : List.of("pub", "sub", "consume", "topics", "stats", "dlq", "delete")) {
            assertTrue(r.out.contains(c), c);
        }
        Path script = Files.createTempFile("completion", ".bash");
        Files.writeString(script, r.out);
        Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Files.deleteIfExists(script);
    }

    @Test
    void theTokenComesFromTheOptionOrFromBrokerToken(@TempDir Path dir) throws Exception {
        String token = "cli-test-token-123";
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        Path tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "[{\"name\":\"ops\",\"sha256\":\"" + sha + "\",\"publish\":[\">\"],\"consume\":[\">\"],\"admin\":true}]");
        try (RunningImage secured = RunningImage.start(RunningImage.image(), Map.of("AUTH_TOKENS_FILE", tokens.toString()))) {
            Map<String, String> env = new HashMap<>(Map.of("BROKER_URL", secured.base().toString()));
            Run none = run(env, "", "topics");
            assertEquals(1, none.status, none.toString());
            assertTrue(none.err.contains("unauthorized (401)"), none.toString());
            Run option = run(env, "", "pub", "cli.secure", "1", "--token", token);
            assertEquals(0, option.status, option.toString());
            env.put("BROKER_TOKEN", token);
            Run fromEnv = run(env, "", "sub", "cli.secure", "--from", "earliest", "--count", "1");
            assertEquals(0, fromEnv.status, fromEnv.toString());
            assertTrue(fromEnv.out.contains("\"data\":1"), fromEnv.toString());
        }
    }
}
