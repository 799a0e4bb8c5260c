package dev.broker.loadtest.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Options is the command line as picocli reads it; {@link #toArguments} turns it into checked
 * {@link Arguments}. Confined to the main thread.
 */
@Command(name = Cli.NAME, sortOptions = false, usageHelpAutoWidth = true, showDefaultValues = false,
        description = {
            "Publishes messages to a running broker over HTTP or WebSocket, consumes them in the same process as a "
                + "consumer group (and as broadcast subscribers, if asked), and reports messages per second, latency "
                + "percentiles, errors, and lost or duplicated messages.",
            "",
            "Publish latency runs from each request's send time to its answer; publish-to-deliver latency from the "
                + "send time carried in each message to its receipt. With --rate the send time is the one the "
                + "schedule meant, so a stall shows in the latency instead of hiding in fewer sends.",
            ""},
        footer = {
            "",
            "Every message answered 2xx must come back exactly once to the group and to each subscriber; after "
                + "publishing the tool waits up to --drain for the rest.",
            "Exit status: 0 all came back; 1 a message was lost, or duplicated with --ack auto, or none was "
                + "published; 2 bad arguments; 3 the broker could not be reached.",
            "LOAD_TEST_JAVA_OPTS adds JVM options (for example -Xmx2g for --idle-connections)."})
final class Options {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "The broker's HTTP address; the WebSocket is /ws under it. Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--transport", paramLabel = "http|ws", defaultValue = "http", converter = TransportConverter.class,
            description = "How publishers and consumers talk to the broker. Default: http.")
    Arguments.Transport transport;

    @Option(names = {"-c", "--concurrent", "--publishers"}, paramLabel = "N", defaultValue = "10",
            description = "Concurrent publishers: HTTP threads with one request each in flight, or WebSocket connections. Default: ${DEFAULT-VALUE}.")
    int publishers;

    @Option(names = {"-n", "--messages"}, paramLabel = "N",
            description = "Messages to publish in all. Default: 10000, or no limit when --duration is given.")
    Long messages;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Publish for this long (500ms, 10s, 2m), or until --messages are sent if that comes first. "
                + "With --idle-connections: how long to hold them (default 10s).")
    Duration duration;

    @Option(names = "--batch", paramLabel = "N",
            description = "HTTP: messages per batch publish (1: POST /publish/{topic}; at most " + Arguments.MAX_BATCH + "). "
                + "WebSocket: publishes each connection keeps in flight, unanswered (at most " + Arguments.MAX_WS_WINDOW + "). "
                + "Default: 1 over HTTP, " + Arguments.WS_WINDOW + " over WebSocket.")
    Integer batch;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "128",
            description = "Bytes of each message's data (it never gets smaller than the fields it carries, about 60). Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--consumers", paramLabel = "N", defaultValue = "2",
            description = "Consumers in the group: HTTP long-polling batch consumers, or WebSocket group members. 0 only publishes. Default: ${DEFAULT-VALUE}.")
    int consumers;

    @Option(names = "--subscribers", paramLabel = "N", defaultValue = "0",
            description = "Broadcast WebSocket subscribers (fan-out), each of which must receive every message. Default: ${DEFAULT-VALUE}.")
    int subscribers;

    @Option(names = "--group", paramLabel = "NAME",
            description = "The consumer group. Default: load-test-<run id>, a new group each run.")
    String group;

    @Option(names = "--ack", paramLabel = "auto|manual", defaultValue = "auto", converter = AckConverter.class,
            description = "How the group acknowledges: auto (at-most-once) or manual (ack each receipt). Default: auto.")
    Arguments.Ack ack;

    @Option(names = "--rate", paramLabel = "MSG/S", defaultValue = "0",
            description = "Messages per second in all, sent on a schedule whatever the answers (open loop). Default: 0, as fast as answers come.")
    double rate;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "The topic. Default: load-test.<run id>, a new topic each run.")
    String topic;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    Path json;

    @Option(names = "--drain", paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
            description = "After publishing, wait at most this long for messages still on their way. Default: ${DEFAULT-VALUE}.")
    Duration drain;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "0s", converter = DurationConverter.class,
            description = "Publish this long first, the same way, before latencies and rates count (adds to --duration). Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--idle-connections", paramLabel = "N", defaultValue = "0",
            description = "Only open N WebSocket connections, each a broadcast subscriber of the topic, hold them for --duration, and report how many opened and stayed open.")
    int idleConnections;

    /** toArguments checks the options; {@code runId} names the default topic and group. */
    Arguments toArguments(String runId) {
        long total = messages != null ? messages : duration != null ? Arguments.UNLIMITED : 10_000;
        return new Arguments(url, transport, publishers, total, Optional.ofNullable(duration),
                batch != null ? batch : transport == Arguments.Transport.WS ? Arguments.WS_WINDOW : 1, size, consumers,
                subscribers, group != null ? group : "load-test-" + runId, ack, rate,
                topic != null ? topic : "load-test." + runId, Optional.ofNullable(json), drain, warmup, idleConnections);
    }

    /** TransportConverter reads http or ws. */
    static final class TransportConverter implements ITypeConverter<Arguments.Transport> {
        @Override
        public Arguments.Transport convert(String value) {
            try {
                return Arguments.Transport.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** AckConverter reads auto or manual. */
    static final class AckConverter implements ITypeConverter<Arguments.Ack> {
        @Override
        public Arguments.Ack convert(String value) {
            try {
                return Arguments.Ack.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** DurationConverter reads 500ms, 10s, 2m, 1h, or a number of seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a time: use 500ms, 10s, 2m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }
    }
}
