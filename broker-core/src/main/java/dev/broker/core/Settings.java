package dev.broker.core;

import dev.broker.api.Durations;
import dev.broker.spi.AuthSettings;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.PublishSettings;
import dev.broker.spi.TlsSettings;
import dev.broker.spi.BrokerConfig.FsyncPolicy;
import dev.broker.spi.BrokerConfig.OverflowPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Settings reads the broker's configuration (SPEC section 7): each setting from its flag
 * ({@code --port 9090}), else its environment variable ({@code PORT}), else its default. Every
 * value is checked; a bad one is a {@link ConfigException} naming the variable and what it accepts.
 * Stateless and thread-safe.
 */
public final class Settings {
    /** Setting is one row of the table: its variable, default, what it accepts and what it means. */
    private record Setting(String variable, String defaultValue, String accepts, String meaning) {
        String flag() {
            return "--" + variable.toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final List<Setting> TABLE = List.of(
            new Setting("PORT", "8080", "a TCP port from 0 to 65535 (0 picks a free one)",
                    "Port of the HTTP API and the WebSocket endpoint /ws."),
            new Setting("PERSISTENCE_ENABLED", "true", "true or false",
                    "Write messages to a durable store before answering a publish."),
            new Setting("RETENTION_HOURS", "24", "a whole number of hours from 1 to 876000",
                    "How long a topic keeps a message."),
            new Setting("MAX_MESSAGE_SIZE", "1048576", "a number of bytes from 1 to 67108864",
                    "Largest message data accepted, in bytes."),
            new Setting("MAX_QUEUE_SIZE", "10000", "a number of messages from 1 to 100000000",
                    "Most messages a topic keeps."),
            new Setting("DATA_DIR", "./data", "a directory path",
                    "Where a durable store keeps its files."),
            new Setting("MAX_REQUEST_SIZE", "16777216", "a number of bytes from 1024 to 1073741824, at least MAX_MESSAGE_SIZE",
                    "Largest HTTP request body accepted, in bytes; a larger one is refused with 413 before it is read."),
            new Setting("MAX_BATCH_SIZE", "1000", "a number of messages from 1 to 100000",
                    "Most messages in one batch publish."),
            new Setting("ACK_TIMEOUT", "30s", "a duration such as 500ms, 30s, 5m (at least 1ms, at most 12h)",
                    "How long a manually acknowledged delivery is leased."),
            new Setting("MAX_DELIVERIES", "5", "a number from 1 to 1000",
                    "Deliveries of a message before it goes to the dead letter queue."),
            new Setting("MAX_DELAY", "15m", "a duration such as 30s, 15m, 2h (at least 1ms, shorter than RETENTION_HOURS)",
                    "Longest delay a publish may ask for with delay= (docs/scheduled-and-idempotent.md)."),
            new Setting("DEDUP_WINDOW", "2m", "a duration such as 30s, 2m, 1h (at least 1ms, at most 24h)",
                    "How long an Idempotency-Key (a WebSocket publish's messageId) is remembered, from its first publish."),
            new Setting("DEDUP_MAX_BYTES", "4194304", "a number of bytes from 1024 to 1073741824",
                    "Memory one topic's remembered idempotency keys may take; past it the oldest are forgotten early."),
            new Setting("OVERFLOW_POLICY", "reject", "reject or drop-oldest",
                    "What a publish to a full topic does."),
            new Setting("FSYNC", "interval", "always, interval or never",
                    "When the store forces writes to the disk."),
            new Setting("STORE_CACHE_MB", "4", "a number of MB from 1 to 65536",
                    "Heap a durable store may use to cache its file; queue depth does not add to it."),
            new Setting("STORE", "", "the name of an installed store plugin (memory, mvstore)",
                    "Store plugin; mvstore when persistence is on, memory when it is off."),
            new Setting("TRANSPORTS", "", "a comma-separated list of installed transport names (http, websocket)",
                    "Transports to start; all that are installed when empty."),
            new Setting("WS_MAX_UNANSWERED", "1024", "a number from 1 to 1000000",
                    "Publishes and acks one WebSocket connection may have unanswered; beyond it the broker"
                    + " reads no more of its frames until answers go out (backpressure, not disconnection)."),
            new Setting("WS_RATE_LIMIT", "0", "0 (no limit) or a number of frames a second from 1 to 10000000",
                    "Frames a second one WebSocket connection may send; a faster client is read more slowly."),
            new Setting("MAX_TOPICS", "10000", "a number of topics from 1 to 10000000",
                    "Most topics the broker holds (dead-letter topics count, and are always made); one more is refused with 429."),
            new Setting("MAX_GROUPS_PER_TOPIC", "100", "a number of groups from 1 to 100000",
                    "Most consumer groups one topic may have; one more is refused with 429."),
            new Setting("WS_MAX_SUBSCRIPTIONS", "1000", "a number of subscriptions from 1 to 100000",
                    "Most subscriptions one WebSocket connection may hold; one more gets an error frame."),
            new Setting("MAX_CONNECTIONS", "50000", "a number of connections from 1 to 10000000",
                    "Most TCP connections served at once, WebSocket ones included; more wait to be accepted."),
            new Setting("WS_ALLOWED_ORIGINS", "*", "* or a comma list of origins such as https://app.example.com,http://localhost:3000",
                    "Browser origins that may open /ws; another gets 403. Clients that send no Origin are always allowed."),
            new Setting("AUTH_TOKENS_FILE", "", "the path of a JSON file of tokens and their rights (docs/security.md)",
                    "Turns authentication on: clients send one of these tokens. Re-read when it changes."),
            new Setting("AUTH_JWT_SECRET", "", "a secret of at least 32 bytes",
                    "Turns authentication on: clients may send a JWT signed with it (HS256)."),
            new Setting("AUTH_JWT_PUBLIC_KEY", "", "the path of a PEM file with an RSA or EC public key",
                    "Turns authentication on: clients may send a JWT signed with its private key (RS256, ES256)."),
            new Setting("METRICS_PUBLIC", "false", "true or false",
                    "With authentication on, serve /metrics without a token (otherwise it needs an admin token)."),
            new Setting("TLS_KEYSTORE", "", "the path of a PKCS12 file with the server's key and certificate chain",
                    "Serves HTTPS and WSS on PORT instead of HTTP; the file is re-read when it changes."),
            new Setting("TLS_KEYSTORE_PASSWORD", "", "the keystore's password",
                    "The password of TLS_KEYSTORE (and of its key)."));

    private Settings() {
    }

    /** Parsed is the outcome of reading the command line. */
    public sealed interface Parsed {
        /** Run: start the broker with this configuration. */
        record Run(BrokerConfig config) implements Parsed {
        }

        /** Help: print this text and exit successfully. */
        record Help(String text) implements Parsed {
        }
    }

    /**
     * parse reads the flags and the environment.
     *
     * @throws ConfigException with one line naming what is wrong
     */
    public static Parsed parse(String[] args, Map<String, String> environment) {
        CommandSpec spec = commandSpec();
        CommandLine commandLine = new CommandLine(spec);
        ParseResult result;
        try {
            result = commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(e.getMessage() + " (see --help)");
        }
        if (result.isUsageHelpRequested()) {
            return new Parsed.Help(commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting s : TABLE) {
            OptionSpec option = spec.findOption(s.flag());
            String value = result.hasMatchedOption(option) ? option.getValue()
                    : environment.getOrDefault(s.variable(), s.defaultValue());
            values.put(s.variable(), value.trim());
        }
        return new Parsed.Run(toConfig(values));
    }

    /** fromEnvironment reads a configuration from variables alone, defaults filling the rest. */
    public static BrokerConfig fromEnvironment(Map<String, String> environment) {
        return ((Parsed.Run) parse(new String[0], environment)).config();
    }

    private static CommandSpec commandSpec() {
        CommandSpec spec = CommandSpec.create()
                .name("broker")
                .mixinStandardHelpOptions(false);
        spec.usageMessage()
                .description("A pub/sub message broker: HTTP API and WebSocket on one port.",
                        "Each option can also be set by the environment variable named in brackets;",
                        "a flag wins over the variable.")
                .sortOptions(false);
        for (Setting s : TABLE) {
            String shown = s.defaultValue().isEmpty() ? "" : " Default: " + s.defaultValue() + ".";
            spec.addOption(OptionSpec.builder(s.flag())
                    .paramLabel("<" + s.variable().toLowerCase(Locale.ROOT).replace('_', '-') + ">")
                    .type(String.class)
                    .description("[" + s.variable() + "] " + s.meaning() + shown)
                    .build());
        }
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
        return spec;
    }

    private static BrokerConfig toConfig(Map<String, String> v) {
        int port = integer(v, "PORT", 0, 65535);
        boolean persistence = bool(v, "PERSISTENCE_ENABLED");
        Duration retention = Duration.ofHours(integer(v, "RETENTION_HOURS", 1, 876_000));
        int maxMessageSize = integer(v, "MAX_MESSAGE_SIZE", 1, 64 * 1024 * 1024);
        int maxQueueSize = integer(v, "MAX_QUEUE_SIZE", 1, 100_000_000);
        Path dataDir = convert(v, "DATA_DIR", text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        });
        int maxBatchSize = integer(v, "MAX_BATCH_SIZE", 1, 100_000);
        Duration ackTimeout = convert(v, "ACK_TIMEOUT", text -> {
            Duration d = Durations.parse(text);
            if (d.toMillis() < 1 || d.compareTo(Duration.ofHours(12)) > 0) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        });
        int maxDeliveries = integer(v, "MAX_DELIVERIES", 1, 1000);
        OverflowPolicy overflow = choice(v, "OVERFLOW_POLICY", Map.of(
                "reject", OverflowPolicy.REJECT, "drop-oldest", OverflowPolicy.DROP_OLDEST));
        FsyncPolicy fsync = choice(v, "FSYNC", Map.of(
                "always", FsyncPolicy.ALWAYS, "interval", FsyncPolicy.INTERVAL, "never", FsyncPolicy.NEVER));
        Optional<String> store = Optional.of(v.get("STORE")).filter(s -> !s.isEmpty())
                .map(s -> convert(v, "STORE", Settings::pluginName));
        Set<String> transports = v.get("TRANSPORTS").isEmpty() ? Set.of()
                : convert(v, "TRANSPORTS", text -> Arrays.stream(text.split(","))
                        .map(String::trim).map(Settings::pluginName)
                        .collect(Collectors.toCollection(LinkedHashSet::new)));
        int storeCacheMb = integer(v, "STORE_CACHE_MB", 1, 65536);
        int wsMaxUnanswered = integer(v, "WS_MAX_UNANSWERED", 1, 1_000_000);
        int wsRateLimit = integer(v, "WS_RATE_LIMIT", 0, 10_000_000);
        int maxRequestSize = integer(v, "MAX_REQUEST_SIZE", 1024, 1 << 30);
        if (maxRequestSize < maxMessageSize) {
            throw new ConfigException("MAX_REQUEST_SIZE (" + maxRequestSize + " bytes) must be at least MAX_MESSAGE_SIZE ("
                    + maxMessageSize + " bytes): a single publish is one message");
        }
        Set<String> origins = convert(v, "WS_ALLOWED_ORIGINS", Settings::origins);
        int maxTopics = integer(v, "MAX_TOPICS", 1, 10_000_000);
        int maxGroupsPerTopic = integer(v, "MAX_GROUPS_PER_TOPIC", 1, 100_000);
        int wsMaxSubscriptions = integer(v, "WS_MAX_SUBSCRIPTIONS", 1, 100_000);
        int maxConnections = integer(v, "MAX_CONNECTIONS", 1, 10_000_000);
        Duration maxDelay = convert(v, "MAX_DELAY", text -> {
            Duration d = Durations.parse(text);
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        });
        if (maxDelay.compareTo(retention) >= 0) {
            throw new ConfigException("MAX_DELAY (" + Durations.format(maxDelay) + ") must be shorter than RETENTION_HOURS ("
                    + retention.toHours() + "h): a delayed message is dropped by retention like any other");
        }
        Duration dedupWindow = convert(v, "DEDUP_WINDOW", text -> {
            Duration d = Durations.parse(text);
            if (d.toMillis() < 1 || d.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("out of range");
            }
            return d;
        });
        long dedupMaxBytes = integer(v, "DEDUP_MAX_BYTES", 1024, 1 << 30);
        return new BrokerConfig(port, persistence, retention, maxMessageSize, maxQueueSize, dataDir, maxBatchSize,
                ackTimeout, maxDeliveries, overflow, fsync, store, transports, storeCacheMb, wsMaxUnanswered, wsRateLimit,
                maxRequestSize, origins, maxTopics, maxGroupsPerTopic, wsMaxSubscriptions, maxConnections, auth(v), tls(v),
                new PublishSettings(maxDelay, dedupWindow, dedupMaxBytes));
    }

    /**
     * tls reads the TLS settings and opens the keystore once, so that a missing file, a wrong
     * password or a keystore without a key stops start-up with one line (the password never in it).
     */
    private static TlsSettings tls(Map<String, String> v) {
        Optional<Path> keystore = optionalPath(v, "TLS_KEYSTORE");
        String password = v.get("TLS_KEYSTORE_PASSWORD");
        if (keystore.isEmpty()) {
            if (!password.isEmpty()) {
                throw new ConfigException("TLS_KEYSTORE_PASSWORD is set but TLS_KEYSTORE is not: name the PKCS12 file");
            }
            return TlsSettings.NONE;
        }
        Path file = keystore.get();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            boolean hasKey = false;
            for (String alias : java.util.Collections.list(ks.aliases())) {
                hasKey |= ks.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new ConfigException("TLS_KEYSTORE " + file + " holds no private key: make it with"
                        + " 'openssl pkcs12 -export -in cert.pem -inkey key.pem -out " + file.getFileName() + "'");
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("TLS_KEYSTORE " + file + " does not exist");
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new ConfigException("TLS_KEYSTORE " + file + " cannot be read as PKCS12 with TLS_KEYSTORE_PASSWORD: "
                    + (e.getCause() instanceof java.security.UnrecoverableKeyException ? "wrong password" : e.getMessage()));
        }
        return new TlsSettings(keystore, password);
    }

    /** auth reads the authentication settings; the secret never appears in a message. */
    private static AuthSettings auth(Map<String, String> v) {
        Optional<Path> tokens = optionalPath(v, "AUTH_TOKENS_FILE");
        Optional<Path> publicKey = optionalPath(v, "AUTH_JWT_PUBLIC_KEY");
        String secret = v.get("AUTH_JWT_SECRET");
        if (!secret.isEmpty() && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("AUTH_JWT_SECRET (--auth-jwt-secret) is " + secret.length()
                    + " characters long but must be at least 32 bytes (HS256 needs a 256-bit key)");
        }
        return new AuthSettings(tokens, Optional.of(secret).filter(t -> !t.isEmpty()), publicKey, bool(v, "METRICS_PUBLIC"));
    }

    private static Optional<Path> optionalPath(Map<String, String> v, String variable) {
        if (v.get(variable).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(convert(v, variable, Path::of));
    }

    /** origins reads {@code *} or a comma list of {@code scheme://host[:port]} origins, lowercased. */
    private static Set<String> origins(String text) {
        if (text.trim().equals(BrokerConfig.ANY_ORIGIN)) {
            return Set.of(BrokerConfig.ANY_ORIGIN);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String origin = part.trim().toLowerCase(Locale.ROOT);
            URI uri;
            try {
                uri = new URI(origin);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not an origin");
            }
            boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            if (!web || uri.getHost() == null || uri.getRawUserInfo() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("not an origin");
            }
            out.add(origin);
        }
        return out;
    }

    private static String pluginName(String text) {
        if (!text.matches("[a-z][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("not a plugin name");
        }
        return text;
    }

    private static int integer(Map<String, String> v, String variable, int min, int max) {
        return convert(v, variable, text -> {
            long n = Long.parseLong(text);
            if (n < min || n > max) {
                throw new IllegalArgumentException("out of range");
            }
            return (int) n;
        });
    }

    private static boolean bool(Map<String, String> v, String variable) {
        return convert(v, variable, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        });
    }

    private static <E> E choice(Map<String, String> v, String variable, Map<String, E> choices) {
        return convert(v, variable, text -> {
            E e = choices.get(text.toLowerCase(Locale.ROOT));
            if (e == null) {
                throw new IllegalArgumentException("not a choice");
            }
            return e;
        });
    }

    private static <T> T convert(Map<String, String> v, String variable, Function<String, T> parser) {
        String text = v.get(variable);
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            Setting s = TABLE.stream().filter(t -> t.variable().equals(variable)).findFirst().orElseThrow();
            throw new ConfigException(variable + " (" + s.flag() + ") is '" + text + "' but must be " + s.accepts());
        }
    }
}
