package dev.broker.loadtest.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Arguments is one load-test run as the command line asked for it, checked: the compact
 * constructor refuses a value that cannot work with an {@link IllegalArgumentException} whose
 * message is one line naming the option, the value and what it accepts.
 *
 * @param url              the broker's HTTP address; the WebSocket is {@code /ws} under it
 * @param transport        how publishers and consumers talk to the broker
 * @param publishers       concurrent publishers (HTTP: threads each with one request at a time;
 *                         WebSocket: connections)
 * @param messages         messages to publish in all, or {@link #UNLIMITED} when {@code duration}
 *                         alone ends the run
 * @param duration         how long to publish, if bounded by time
 * @param batch            HTTP: messages per batch publish (1 uses the single-message endpoint);
 *                         WebSocket: publishes each connection keeps in flight, unanswered
 * @param size             bytes of each message's {@code data} (never fewer than the fields it carries)
 * @param consumers        members of the consumer group (HTTP long-pollers or WebSocket members);
 *                         0 publishes without consuming
 * @param subscribers      broadcast WebSocket subscribers, each of which must receive every message
 * @param group            the consumer group
 * @param ack              how the group acknowledges
 * @param rate             messages per second in all (open loop), or 0 to publish as fast as answers come
 * @param topic            the topic; a fresh one by default so that runs do not mix
 * @param json             where to write the report as JSON, if anywhere
 * @param drain            how long to wait after publishing for messages still on their way
 * @param warmup           how long to publish first, at the same rate, before latencies and rates
 *                         count (it adds to {@code duration}); lost messages count over the whole run
 * @param idleConnections  when over 0, the run only opens this many idle WebSocket subscribers and
 *                         holds them for {@code duration} (10 s by default)
 */
public record Arguments(URI url, Transport transport, int publishers, long messages, Optional<Duration> duration,
                        int batch, int size, int consumers, int subscribers, String group, Ack ack, double rate,
                        String topic, Optional<Path> json, Duration drain, Duration warmup, int idleConnections) {
    /** UNLIMITED as {@code messages}: the run is bounded by {@code duration} alone. */
    public static final long UNLIMITED = Integer.MAX_VALUE;
    /** MAX_BATCH is the broker's largest MAX_BATCH_SIZE default. */
    static final int MAX_BATCH = 1000;
    /**
     * WS_WINDOW is the default of publishes in flight on one WebSocket connection: enough that a
     * round trip of a few milliseconds does not bound the connection's rate, and under the broker's
     * default WS_MAX_UNANSWERED (1024), past which it stops reading the connection (docs/load-test.md).
     */
    static final int WS_WINDOW = 256;
    /** MAX_WS_WINDOW bounds the tool's own memory for unanswered publishes per connection. */
    static final int MAX_WS_WINDOW = 65_536;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Transport is how the tool talks to the broker. */
    public enum Transport {
        HTTP, WS;

        static Transport parse(String value) {
            return switch (value) {
                case "http" -> HTTP;
                case "ws" -> WS;
                default -> throw new IllegalArgumentException("'" + value + "' is not a transport: use http or ws");
            };
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Ack is how the consumer group acknowledges: as handed out, or with a receipt after receipt. */
    public enum Ack {
        AUTO, MANUAL;

        static Ack parse(String value) {
            return switch (value) {
                case "auto" -> AUTO;
                case "manual" -> MANUAL;
                default -> throw new IllegalArgumentException("'" + value + "' is not an ack mode: use auto or manual");
            };
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Arguments {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(ack, "ack");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(warmup, "warmup");
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null
                || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("--url is '" + url + "' but must be the broker's http:// or https:// address, such as http://localhost:8080");
        }
        range("--concurrent", publishers, 1, 10_000);
        if (messages < 1 || messages > UNLIMITED) {
            throw new IllegalArgumentException("--messages is " + messages + " but must be from 1 to " + UNLIMITED);
        }
        duration.ifPresent(d -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("--duration must be longer than 0, such as 10s");
            }
        });
        range("--batch", batch, 1, transport == Transport.WS ? MAX_WS_WINDOW : MAX_BATCH);
        range("--size", size, 1, 1 << 20);
        range("--consumers", consumers, 0, 1_000);
        range("--subscribers", subscribers, 0, 100_000);
        if (!GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("--group is '" + group + "' but must be 1 to 64 letters, digits, '_' or '-'");
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate is " + rate + " but must be messages per second, 0 or more (0: as fast as answers come)");
        }
        if (topic.length() > 255 || !TOPIC.matcher(topic).matches() || topic.split("\\.").length > 16) {
            throw new IllegalArgumentException("--topic is '" + topic
                    + "' but must be dot-separated segments of letters, digits, '_' or '-' (at most 16 segments, 255 characters)");
        }
        if (topic.startsWith("dlq.")) {
            throw new IllegalArgumentException("--topic is '" + topic + "' but topics beginning with 'dlq.' are written by the broker alone");
        }
        if (drain.isNegative()) {
            throw new IllegalArgumentException("--drain must be 0 or longer");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must be 0 or longer");
        }
        range("--idle-connections", idleConnections, 0, 1_000_000);
    }

    private static void range(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " is " + value + " but must be from " + min + " to " + max);
        }
    }

    /** openLoop is true when messages are sent on a schedule (--rate) rather than as answers come. */
    boolean openLoop() {
        return rate > 0;
    }

    /** checksDelivery is true when someone in the run receives the messages, so losses can be counted. */
    boolean checksDelivery() {
        return consumers > 0 || subscribers > 0;
    }

    /** http is an address of the broker's HTTP API, {@code pathAndQuery} relative to {@link #url}. */
    URI http(String pathAndQuery) {
        String base = url.toString();
        return URI.create(base.endsWith("/") ? base + pathAndQuery : base + "/" + pathAndQuery);
    }

    /** webSocket is the broker's WebSocket address. */
    URI webSocket() {
        URI u = http("ws");
        return URI.create(("https".equals(u.getScheme()) ? "wss" : "ws") + u.toString().substring(u.getScheme().length()));
    }
}
