package dev.broker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerConfig.FsyncPolicy;
import dev.broker.spi.BrokerConfig.OverflowPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {
    private static final List<String> VARIABLES = List.of("PORT", "PERSISTENCE_ENABLED", "RETENTION_HOURS",
            "MAX_MESSAGE_SIZE", "MAX_QUEUE_SIZE", "DATA_DIR", "MAX_BATCH_SIZE", "ACK_TIMEOUT", "MAX_DELIVERIES",
            "OVERFLOW_POLICY", "FSYNC", "STORE_CACHE_MB", "STORE", "TRANSPORTS", "WS_MAX_UNANSWERED", "WS_RATE_LIMIT", "MAX_REQUEST_SIZE",
            "WS_ALLOWED_ORIGINS", "MAX_TOPICS", "MAX_GROUPS_PER_TOPIC", "WS_MAX_SUBSCRIPTIONS", "MAX_CONNECTIONS");

    private static BrokerConfig run(Map<String, String> env, String... args) {
        Settings.Parsed parsed = Settings.parse(args, env);
        return assertInstanceOf(Settings.Parsed.Run.class, parsed).config();
    }

    private static ConfigException refused(Map<String, String> env, String... args) {
        return assertThrows(ConfigException.class, () -> Settings.parse(args, env));
    }

    @Test
    void defaultsAreThoseOfTheSpec() {
        BrokerConfig c = run(Map.of());
        assertEquals(8080, c.port());
        assertTrue(c.persistenceEnabled());
        assertEquals(Duration.ofHours(24), c.retention());
        assertEquals(1_048_576, c.maxMessageSize());
        assertEquals(10_000, c.maxQueueSize());
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(1000, c.maxBatchSize());
        assertEquals(Duration.ofSeconds(30), c.ackTimeout());
        assertEquals(5, c.maxDeliveries());
        assertEquals(OverflowPolicy.REJECT, c.overflowPolicy());
        assertEquals(FsyncPolicy.INTERVAL, c.fsync());
        assertEquals(Optional.empty(), c.store());
        assertEquals(Set.of(), c.transports());
    }

    @Test
    void fromEnvironmentWithNothingSetGivesTheDefaults() {
        assertEquals(run(Map.of()), Settings.fromEnvironment(Map.of()));
    }

    @Test
    void readsEveryEnvironmentVariable() {
        BrokerConfig c = run(Map.ofEntries(
                Map.entry("PORT", "9090"),
                Map.entry("PERSISTENCE_ENABLED", "false"),
                Map.entry("RETENTION_HOURS", "48"),
                Map.entry("MAX_MESSAGE_SIZE", "2048"),
                Map.entry("MAX_QUEUE_SIZE", "50"),
                Map.entry("DATA_DIR", "/var/lib/broker"),
                Map.entry("MAX_BATCH_SIZE", "10"),
                Map.entry("ACK_TIMEOUT", "500ms"),
                Map.entry("MAX_DELIVERIES", "3"),
                Map.entry("OVERFLOW_POLICY", "drop-oldest"),
                Map.entry("FSYNC", "always"),
                Map.entry("STORE", "memory"),
                Map.entry("TRANSPORTS", "http")));
        assertEquals(9090, c.port());
        assertEquals(false, c.persistenceEnabled());
        assertEquals(Duration.ofHours(48), c.retention());
        assertEquals(2048, c.maxMessageSize());
        assertEquals(50, c.maxQueueSize());
        assertEquals(Path.of("/var/lib/broker"), c.dataDir());
        assertEquals(10, c.maxBatchSize());
        assertEquals(Duration.ofMillis(500), c.ackTimeout());
        assertEquals(3, c.maxDeliveries());
        assertEquals(OverflowPolicy.DROP_OLDEST, c.overflowPolicy());
        assertEquals(FsyncPolicy.ALWAYS, c.fsync());
        assertEquals(Optional.of("memory"), c.store());
        assertEquals(Set.of("http"), c.transports());
    }

    @Test
    void theRequestSizeDefaultsTo16MiBAndMayNotBeUnderTheMessageSize() {
        assertEquals(16 << 20, run(Map.of()).maxRequestSize());
        assertEquals(4096, run(Map.of("MAX_REQUEST_SIZE", "4096", "MAX_MESSAGE_SIZE", "4096")).maxRequestSize());
        ConfigException e = refused(Map.of("MAX_REQUEST_SIZE", "2048", "MAX_MESSAGE_SIZE", "4096"));
        assertEquals("MAX_REQUEST_SIZE (2048 bytes) must be at least MAX_MESSAGE_SIZE (4096 bytes): a single publish is one message",
                e.getMessage());
    }

    @Test
    void allowedOriginsAreAnyByDefaultOrAListComparedWithoutCase() {
        assertEquals(Set.of("*"), run(Map.of()).wsAllowedOrigins());
        BrokerConfig c = run(Map.of("WS_ALLOWED_ORIGINS", "https://App.Example.com, http://localhost:3000"));
        assertEquals(Set.of("https://app.example.com", "http://localhost:3000"), c.wsAllowedOrigins());
        assertTrue(c.allowsOrigin("https://app.example.COM"));
        assertTrue(c.allowsOrigin(null));
        assertTrue(!c.allowsOrigin("https://evil.example"));
    }

    @Test
    void flagWinsOverEnvironment() {
        Map<String, String> env = Map.of("PORT", "7070");
        assertEquals(7070, run(env).port());
        assertEquals(9090, run(env, "--port", "9090").port());
        assertEquals(9090, run(env, "--port=9090").port());
    }

    @Test
    void everySettingHasAFlagNamedAfterItsVariable() {
        BrokerConfig c = run(Map.of(), "--persistence-enabled", "false", "--retention-hours", "2",
                "--max-message-size", "100", "--max-queue-size", "7", "--data-dir", "/tmp/b", "--max-batch-size", "3",
                "--ack-timeout", "5m", "--max-deliveries", "9", "--overflow-policy", "drop-oldest", "--fsync", "never",
                "--store", "memory", "--transports", "websocket");
        assertEquals(false, c.persistenceEnabled());
        assertEquals(Duration.ofHours(2), c.retention());
        assertEquals(100, c.maxMessageSize());
        assertEquals(7, c.maxQueueSize());
        assertEquals(Path.of("/tmp/b"), c.dataDir());
        assertEquals(3, c.maxBatchSize());
        assertEquals(Duration.ofMinutes(5), c.ackTimeout());
        assertEquals(9, c.maxDeliveries());
        assertEquals(OverflowPolicy.DROP_OLDEST, c.overflowPolicy());
        assertEquals(FsyncPolicy.NEVER, c.fsync());
        assertEquals(Optional.of("memory"), c.store());
        assertEquals(Set.of("websocket"), c.transports());
    }

    @Test
    void trimsValues() {
        assertEquals(9090, run(Map.of("PORT", " 9090 ")).port());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "PORT | abc | --port",
            "PORT | -1 | --port",
            "PORT | 65536 | --port",
            "PORT | 80.5 | --port",
            "PORT | '' | --port",
            "PERSISTENCE_ENABLED | yes | --persistence-enabled",
            "RETENTION_HOURS | 0 | --retention-hours",
            "RETENTION_HOURS | 876001 | --retention-hours",
            "RETENTION_HOURS | 1h | --retention-hours",
            "MAX_MESSAGE_SIZE | 0 | --max-message-size",
            "MAX_MESSAGE_SIZE | 67108865 | --max-message-size",
            "MAX_QUEUE_SIZE | 0 | --max-queue-size",
            "MAX_QUEUE_SIZE | 100000001 | --max-queue-size",
            "DATA_DIR | '' | --data-dir",
            "MAX_BATCH_SIZE | 0 | --max-batch-size",
            "MAX_REQUEST_SIZE | 1023 | --max-request-size",
            "WS_ALLOWED_ORIGINS | app.example.com | --ws-allowed-origins",
            "WS_ALLOWED_ORIGINS | 'https://a.example/path' | --ws-allowed-origins",
            "WS_ALLOWED_ORIGINS | 'https://a.example,,http://b' | --ws-allowed-origins",
            "WS_ALLOWED_ORIGINS | 'ftp://files.example' | --ws-allowed-origins",
            "MAX_REQUEST_SIZE | 1073741825 | --max-request-size",
            "MAX_BATCH_SIZE | 100001 | --max-batch-size",
            "ACK_TIMEOUT | soon | --ack-timeout",
            "ACK_TIMEOUT | 0ms | --ack-timeout",
            "ACK_TIMEOUT | 13h | --ack-timeout",
            "MAX_DELIVERIES | 0 | --max-deliveries",
            "MAX_DELIVERIES | 1001 | --max-deliveries",
            "OVERFLOW_POLICY | drop | --overflow-policy",
            "FSYNC | sometimes | --fsync",
            "STORE | My Store | --store",
            "TRANSPORTS | 'http,,websocket' | --transports",
            "TRANSPORTS | 'HTTP' | --transports",
    })
    void badEnvironmentValueNamesTheVariableItsFlagAndWhatItAccepts(String variable, String value, String flag) {
        ConfigException e = refused(Map.of(variable, value));
        String message = e.getMessage();
        assertTrue(message.startsWith(variable + " (" + flag + ") is '" + value.trim() + "' but must be "), message);
        assertEquals(1, message.lines().count(), message);
    }

    @Test
    void badFlagValueIsReportedTheSameWay() {
        ConfigException e = refused(Map.of("PORT", "9090"), "--port", "abc");
        assertTrue(e.getMessage().startsWith("PORT (--port) is 'abc' but must be a TCP port from 0 to 65535"),
                e.getMessage());
        e = refused(Map.of(), "--max-queue-size=lots");
        assertTrue(e.getMessage().startsWith("MAX_QUEUE_SIZE (--max-queue-size) is 'lots'"), e.getMessage());
    }

    @Test
    void negativeFlagValueIsReportedAsABadValue() {
        ConfigException e = refused(Map.of(), "--port", "-1");
        assertTrue(e.getMessage().startsWith("PORT (--port) is '-1' but must be"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--bogus | 1", "--prot=9090 | ''", "-p | 9090", "9090 | ''", "PORT=9090 | ''"})
    void unknownFlagOrArgumentPointsToHelp(String arg, String next) {
        String[] args = next.isEmpty() ? new String[] {arg} : new String[] {arg, next};
        ConfigException e = refused(Map.of(), args);
        assertTrue(e.getMessage().contains(arg.split("=")[0]), e.getMessage());
        assertTrue(e.getMessage().contains("--help"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void flagWithoutItsValuePointsToHelp() {
        ConfigException e = refused(Map.of(), "--port");
        assertTrue(e.getMessage().contains("--port"), e.getMessage());
        assertTrue(e.getMessage().contains("--help"), e.getMessage());
    }

    @Test
    void helpListsEveryVariableWithItsFlag() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"})) {
            Settings.Parsed parsed = Settings.parse(args, Map.of("PORT", "not even read"));
            String text = assertInstanceOf(Settings.Parsed.Help.class, parsed).text();
            for (String variable : VARIABLES) {
                assertTrue(text.contains("[" + variable + "]"), variable + " missing from:\n" + text);
                String flag = "--" + variable.toLowerCase().replace('_', '-');
                assertTrue(text.contains(flag), flag + " missing from:\n" + text);
            }
        }
    }

    @Test
    void helpShowsTheDefaults() {
        String text = ((Settings.Parsed.Help) Settings.parse(new String[] {"--help"}, Map.of())).text()
                .replaceAll("\\s+", " ");
        for (String shown : List.of("Default: 8080.", "Default: true.", "Default: 24.", "Default: 1048576.",
                "Default: 10000.", "Default: ./data.", "Default: 1000.", "Default: 30s.", "Default: 5.",
                "Default: reject.", "Default: interval.")) {
            assertTrue(text.contains(shown), shown + " missing from:\n" + text);
        }
    }

    @Test
    void transportsIsACommaSeparatedSet() {
        assertEquals(Set.of("http", "websocket"), run(Map.of("TRANSPORTS", "http, websocket")).transports());
        assertEquals(Set.of("http", "websocket"), run(Map.of(), "--transports", "websocket,http").transports());
        assertEquals(Set.of("http"), run(Map.of("TRANSPORTS", "http,http")).transports());
        assertEquals(Set.of(), run(Map.of("TRANSPORTS", "  ")).transports());
    }

    @Test
    void overflowPolicyAcceptsBothChoices() {
        assertEquals(OverflowPolicy.DROP_OLDEST, run(Map.of("OVERFLOW_POLICY", "drop-oldest")).overflowPolicy());
        assertEquals(OverflowPolicy.REJECT, run(Map.of("OVERFLOW_POLICY", "reject")).overflowPolicy());
    }

    @ParameterizedTest
    @CsvSource({"always, ALWAYS", "interval, INTERVAL", "never, NEVER"})
    void fsyncAcceptsItsThreeValues(String value, FsyncPolicy expected) {
        assertEquals(expected, run(Map.of("FSYNC", value)).fsync());
        assertEquals(expected, run(Map.of(), "--fsync", value).fsync());
    }

    @Test
    void booleanAndChoicesIgnoreCase() {
        assertEquals(false, run(Map.of("PERSISTENCE_ENABLED", "FALSE")).persistenceEnabled());
        assertEquals(FsyncPolicy.NEVER, run(Map.of("FSYNC", "Never")).fsync());
    }

    @Test
    void acceptsTheEdgesOfEachRange() {
        assertEquals(0, run(Map.of("PORT", "0")).port());
        assertEquals(65535, run(Map.of("PORT", "65535")).port());
        assertEquals(Duration.ofHours(876_000), run(Map.of("RETENTION_HOURS", "876000")).retention());
        assertEquals(Duration.ofMillis(1), run(Map.of("ACK_TIMEOUT", "1ms")).ackTimeout());
        assertEquals(Duration.ofHours(12), run(Map.of("ACK_TIMEOUT", "12h")).ackTimeout());
        assertEquals(Duration.ofSeconds(45), run(Map.of("ACK_TIMEOUT", "45")).ackTimeout());
    }
}
