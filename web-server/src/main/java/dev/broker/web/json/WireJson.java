package dev.broker.web.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.broker.api.Delivery;
import dev.broker.api.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * WireJson writes the broker's JSON: messages as clients see them over HTTP and WebSocket, with
 * their {@code data} exactly as it was published. Stateless and thread-safe.
 */
public final class WireJson {
    /**
     * FACTORY is the shared Jackson factory, with limits wide enough for any message the broker
     * takes: every input is bounded in bytes before it is parsed (docs/limits.md), and a string can
     * be no longer than the largest MAX_REQUEST_SIZE (1 GiB).
     */
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(1 << 30)
                    .maxNestingDepth(1000)
                    .build())
            .build();

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private WireJson() {
    }

    /** Body writes one JSON document with a generator. */
    @FunctionalInterface
    public interface Body {
        /** write writes the document. */
        void write(JsonGenerator g) throws IOException;
    }

    /** bytes writes a JSON document to UTF-8 bytes. */
    public static byte[] bytes(Body body) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(512);
             JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            body.write(g);
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** text writes a JSON document to a string. */
    public static String text(Body body) {
        return new String(bytes(body), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** parser reads UTF-8 JSON. */
    public static JsonParser parser(byte[] json) throws IOException {
        return FACTORY.createParser(json);
    }

    /** timestamp formats an instant as RFC 3339 UTC with milliseconds, as every message shows it. */
    public static String timestamp(Instant instant) {
        // Formatting is a tenth of the cost of a WebSocket publish and its reply; messages of the
        // same second share everything up to the milliseconds, so each thread keeps the last
        // second's prefix and appends the rest.
        long second = instant.getEpochSecond();
        SecondPrefix last = LAST_SECOND.get();
        if (last.second != second) {
            String full = TIMESTAMP.format(Instant.ofEpochSecond(second));
            last.prefix = full.substring(0, full.length() - 5); // without ".000Z"
            last.second = second;
        }
        int millis = instant.getNano() / 1_000_000;
        char[] tail = {'.', (char) ('0' + millis / 100), (char) ('0' + millis / 10 % 10), (char) ('0' + millis % 10), 'Z'};
        return last.prefix.concat(new String(tail));
    }

    /** SecondPrefix is one thread's last formatted second, up to and without the fraction. */
    private static final class SecondPrefix {
        long second = Long.MIN_VALUE;
        String prefix;
    }

    private static final ThreadLocal<SecondPrefix> LAST_SECOND = ThreadLocal.withInitial(SecondPrefix::new);

    /**
     * writeMessage writes a delivery as a JSON object: id, topic, data, headers, timestamp,
     * retryCount, offset, and for a group delivery its group and, if manual, its receipt.
     */
    public static void writeMessage(JsonGenerator g, Delivery delivery) throws IOException {
        g.writeStartObject();
        writeMessageFields(g, delivery);
        g.writeEndObject();
    }

    /** writeMessageFields writes a delivery's fields into an object the caller has started. */
    public static void writeMessageFields(JsonGenerator g, Delivery delivery) throws IOException {
        Message m = delivery.message();
        g.writeStringField("id", m.id().toString());
        g.writeStringField("topic", m.topic().value());
        g.writeFieldName("data");
        g.writeRawValue(m.data());
        g.writeObjectFieldStart("headers");
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            g.writeStringField(h.getKey(), h.getValue());
        }
        g.writeEndObject();
        g.writeStringField("timestamp", timestamp(m.timestamp()));
        g.writeNumberField("retryCount", delivery.retryCount());
        g.writeNumberField("offset", m.offset());
        if (delivery.group().isPresent()) {
            g.writeStringField("group", delivery.group().get().value());
        }
        if (delivery.receipt().isPresent()) {
            g.writeStringField("receipt", delivery.receipt().get());
        }
    }
}
