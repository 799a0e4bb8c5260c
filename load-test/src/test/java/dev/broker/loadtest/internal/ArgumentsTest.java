package dev.broker.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ArgumentsTest checks the command line as a user types it: the defaults, and the one-line answer to a bad value. */
class ArgumentsTest {

    @Test
    void defaultsAreTheSeedsRunWithAFreshTopicAndGroup() {
        Arguments a = Cli.arguments("run12345");
        assertEquals(URI.create("http://localhost:8080"), a.url());
        assertEquals(Arguments.Transport.HTTP, a.transport());
        assertEquals(10, a.publishers());
        assertEquals(10_000, a.messages());
        assertEquals(Optional.empty(), a.duration());
        assertEquals(1, a.batch());
        assertEquals(128, a.size());
        assertEquals(2, a.consumers());
        assertEquals(0, a.subscribers());
        assertEquals("load-test-run12345", a.group());
        assertEquals(Arguments.Ack.AUTO, a.ack());
        assertEquals(0, a.rate());
        assertEquals("load-test.run12345", a.topic());
        assertEquals(Optional.empty(), a.json());
        assertEquals(Duration.ofSeconds(10), a.drain());
        assertEquals(Duration.ZERO, a.warmup());
        assertEquals(0, a.idleConnections());
        assertEquals(URI.create("ws://localhost:8080/ws"), a.webSocket());
        assertEquals(URI.create("http://localhost:8080/publish/t"), a.http("publish/t"));
    }

    @Test
    void theSeedsCommandLineMeansPublishersAndTotalMessages() {
        Arguments a = Cli.arguments("r", "--concurrent", "100", "--messages", "10000");
        assertEquals(100, a.publishers());
        assertEquals(10_000, a.messages());
        assertEquals(100, Cli.arguments("r", "--publishers", "100").publishers());
        assertEquals(7, Cli.arguments("r", "-c", "7", "-n", "9").publishers());
    }

    @Test
    void aWebSocketPublisherKeepsAWindowInFlightByDefault() {
        assertEquals(Arguments.WS_WINDOW, Cli.arguments("r", "--transport", "ws").batch());
        assertEquals(1, Cli.arguments("r", "--transport", "ws", "--batch", "1").batch());
        assertEquals(5000, Cli.arguments("r", "--transport", "ws", "--batch", "5000").batch());
        assertEquals(1, Cli.arguments("r", "--transport", "http").batch());
    }

    @Test
    void everyOptionIsRead() {
        Arguments a = Cli.arguments("r", "--url", "https://broker.example:9443/base/", "--transport", "ws", "--batch", "50",
                "--size", "200", "--consumers", "0", "--subscribers", "30", "--group", "billing", "--ack", "manual",
                "--rate", "10000", "--duration", "2m", "--topic", "orders.eu", "--json", "out.json", "--drain", "500ms",
                "--warmup", "3");
        assertEquals(Arguments.Transport.WS, a.transport());
        assertEquals(50, a.batch());
        assertEquals(200, a.size());
        assertEquals(0, a.consumers());
        assertEquals(30, a.subscribers());
        assertEquals("billing", a.group());
        assertEquals(Arguments.Ack.MANUAL, a.ack());
        assertEquals(10_000, a.rate());
        assertEquals(Optional.of(Duration.ofMinutes(2)), a.duration());
        assertEquals("orders.eu", a.topic());
        assertEquals("out.json", a.json().orElseThrow().toString());
        assertEquals(Duration.ofMillis(500), a.drain());
        assertEquals(Duration.ofSeconds(3), a.warmup());
        assertEquals(URI.create("wss://broker.example:9443/base/ws"), a.webSocket());
        assertEquals(URI.create("https://broker.example:9443/base/health"), a.http("health"));
    }

    @Test
    void aDurationWithoutACountPublishesUntilTheTimeIsUp() {
        assertEquals(Arguments.UNLIMITED, Cli.arguments("r", "--duration", "10s").messages());
        assertEquals(500, Cli.arguments("r", "--duration", "10s", "--messages", "500").messages());
    }

    @Test
    void theLastValueOfAnOptionWins() {
        assertEquals(3, Cli.arguments("r", "--concurrent", "8", "--concurrent", "3").publishers());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--transport smtp        | Invalid value for option '--transport': 'smtp' is not a transport: use http or ws",
        "--ack sometimes         | Invalid value for option '--ack': 'sometimes' is not an ack mode: use auto or manual",
        "--concurrent 0          | --concurrent is 0 but must be from 1 to 10000",
        "--messages 0            | --messages is 0 but must be from 1 to 2147483647",
        "--batch 1001            | --batch is 1001 but must be from 1 to 1000",
        "--transport ws --batch 70000 | --batch is 70000 but must be from 1 to 65536",
        "--size lots             | Invalid value for option '--size': 'lots' is not an int",
        "--consumers -1          | --consumers is -1 but must be from 0 to 1000",
        "--url ftp://host        | --url is 'ftp://host' but must be the broker's http:// or https:// address, such as http://localhost:8080",
        "--group a/b             | --group is 'a/b' but must be 1 to 64 letters, digits, '_' or '-'",
        "--topic a..b            | --topic is 'a..b' but must be dot-separated segments of letters, digits, '_' or '-' (at most 16 segments, 255 characters)",
        "--topic dlq.orders      | --topic is 'dlq.orders' but topics beginning with 'dlq.' are written by the broker alone",
        "--rate -5               | --rate is -5.0 but must be messages per second, 0 or more (0: as fast as answers come)",
        "--duration 0s           | --duration must be longer than 0, such as 10s",
        "--drain soon            | Invalid value for option '--drain': 'soon' is not a time: use 500ms, 10s, 2m or 1h",
        "--bogus                 | Unknown option: '--bogus'",
        "--batch                 | Missing required parameter for option '--batch' (N)",
    })
    void aBadValueGetsOneLineAndAHintAndStatus2(String args, String message) {
        Result r = run(args.trim().split("\\s+"));
        assertEquals(2, r.status, r.err);
        assertEquals("", r.out);
        assertEquals(List.of("broker-load-test: " + message, "Try 'broker-load-test --help' for the options."), r.err.lines().toList());
    }

    @Test
    void helpListsEveryOptionAndExits0() {
        Result r = run("--help");
        assertEquals(0, r.status);
        for (String option : List.of("--url", "--transport", "--concurrent", "--publishers", "--messages", "--duration", "--batch",
                "--size", "--consumers", "--subscribers", "--group", "--ack", "--rate", "--topic", "--json", "--drain", "--warmup",
                "--idle-connections", "Exit status")) {
            assertTrue(r.out.contains(option), option + " missing from --help:\n" + r.out);
        }
        assertEquals("", r.err);
    }

    @Test
    void aBrokerThatIsNotThereGetsOneLineAndStatus3() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result r = run("--url", "http://127.0.0.1:" + port, "--messages", "10");
        assertEquals(3, r.status, r.err);
        assertEquals(List.of("broker-load-test: cannot reach the broker at http://127.0.0.1:" + port + " (ConnectException: Connection refused)"),
                r.err.lines().toList());
    }

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
