package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broker.api.BrokerException;
import dev.broker.api.Durations;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.web.json.JsonValues;
import dev.broker.web.json.WireJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * FuzzTest feeds what clients send (WebSocket frames, HTTP JSON bodies, topic names and patterns,
 * durations) with seeded random damage to the broker's parsers: each of 10,000+ inputs per parser
 * must be accepted or refused with the broker's own error (an error code a client sees), never
 * with another exception. A failure prints the seed and input to replay. Longer runs: raise
 * {@code -Dfuzz.inputs}.
 */
class FuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261203L);
    private static final int INPUTS = Integer.getInteger("fuzz.inputs", 12_000);

    private static final List<String> FRAMES = List.of(
            "{\"type\":\"publish\",\"topic\":\"orders.new\",\"data\":{\"id\":1,\"tags\":[\"a\",\"b\"]},\"messageId\":\"m-1\"}",
            "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"\\u00e9\\ud83c\\udf89\",\"headers\":{\"trace\":\"x\"}}",
            "{\"type\":\"subscribe\",\"topic\":\"orders.*\",\"group\":\"g\",\"ack\":\"manual\",\"maxInFlight\":\"10\"}",
            "{\"type\":\"subscribe\",\"topic\":\"a.>\",\"from\":\"earliest\"}",
            "{\"type\":\"unsubscribe\",\"topic\":\"a.>\"}",
            "{\"type\":\"ack\",\"topic\":\"t\",\"group\":\"g\",\"receipt\":\"1.2.abc\"}",
            "{\"type\":\"nack\",\"topic\":\"t\",\"group\":\"g\",\"receipt\":\"1.2.abc\",\"delay\":\"5s\",\"reason\":\"no\"}",
            "{\"type\":\"extend\",\"topic\":\"t\",\"receipt\":\"x\"}");
    private static final List<String> BODIES = List.of(
            "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}", "[1,\"two\",{\"three\":3},[4]]", "\"text\"", "-1.5e300", "true",
            "[{\"deep\":[[[[1]]]]}]", "{\"u\":\"\\u0000\\ud83d\\ude00\"}",
            // found by a million-input run: a NUL byte beside a number at the root
            "1\u0000", "\u00001");
    private static final List<String> NAMES = List.of("orders.new", "a.b.c", "dlq.orders", "x_y-z.1", "*", "a.>", "a.*.c");
    private static final List<String> DURATIONS = List.of("500ms", "30s", "5m", "12h", "0", "1");

    private static String damage(Random r, String seed) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.length() == 0 ? 0 : r.nextInt(s.length());
            switch (r.nextInt(8)) {
                case 0 -> s.insert(at, (char) r.nextInt(0x80));
                case 1 -> s.insert(at, "{[\"\\:,}]".charAt(r.nextInt(8)));
                case 2 -> { if (s.length() > 0) { s.deleteCharAt(at); } }
                case 3 -> s.setLength(at);
                case 4 -> s.insert(at, (char) (0x80 + r.nextInt(0xD700))); // any BMP char, not a surrogate
                case 5 -> s.insert(at, r.nextBoolean() ? "\uD83D" : "\uDE00"); // a lone surrogate
                case 6 -> s.insert(at, s.substring(at, Math.min(s.length(), at + r.nextInt(20)))); // repeat a piece
                default -> s.insert(at, "9".repeat(1 + r.nextInt(30))); // long numbers
            }
        }
        return s.toString();
    }

    private static void fuzz(String what, List<String> seeds, Consumer<String> parse) {
        Random r = new Random(SEED ^ what.hashCode());
        System.out.println("[fuzz] " + what + ": " + INPUTS + " inputs, seed " + SEED);
        for (int i = 0; i < INPUTS; i++) {
            String input = i < seeds.size() ? seeds.get(i) : damage(r, seeds.get(r.nextInt(seeds.size())));
            try {
                parse.accept(input);
            } catch (BrokerException expected) {
                assertNotNull(expected.code());
            } catch (RuntimeException | AssertionError e) {
                fail(what + " input " + i + " (seed " + SEED + ") ended in " + e + ": " + input, e);
            }
        }
    }

    @Test
    void webSocketFramesAreDecodedOrRefusedWithAnErrorCode() {
        fuzz("frame", FRAMES, text -> {
            try {
                FrameDecoder.decode(text);
            } catch (FrameDecoder.FrameException refused) {
                assertNotNull(refused.code);
                assertNotNull(refused.getMessage());
            }
        });
    }

    @Test
    void httpBodiesAreReadOrRefusedWithAnErrorCode() {
        fuzz("body", BODIES, text -> {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            String one = JsonValues.one(bytes);
            // What is accepted is one JSON value, kept as sent: it parses again to the same text.
            assertEquals(one, JsonValues.one(one.getBytes(StandardCharsets.UTF_8)));
        });
        fuzz("batch", List.of("[" + String.join(",", BODIES) + "]"), text -> {
            for (String item : JsonValues.items(text.getBytes(StandardCharsets.UTF_8), 1000)) {
                assertEquals(item, JsonValues.one(item.getBytes(StandardCharsets.UTF_8)));
            }
        });
    }

    @Test
    void namesPatternsAndDurationsAreParsedOrRefusedWithAnErrorCode() {
        fuzz("topic", NAMES, text -> TopicName.of(text));
        fuzz("pattern", NAMES, text -> TopicPattern.of(text).matches(TopicName.of("orders.new")));
        fuzz("duration", DURATIONS, text -> {
            try {
                Durations.parse(text);
            } catch (IllegalArgumentException refused) {
                assertNotNull(refused.getMessage()); // the callers turn it into invalid-parameter
            }
        });
        // The JSON writer takes any string a client may send as a header or message id.
        fuzz("escape", FRAMES, text -> WireJson.text(g -> g.writeString(text)));
    }
}
