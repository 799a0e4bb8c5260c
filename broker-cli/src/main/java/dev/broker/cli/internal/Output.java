package dev.broker.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.broker.client.Message;
import dev.broker.client.Published;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Output writes what the commands print: one JSON object a line for messages and answers (so a
 * shell pipes them into {@code jq}), with each message's data exactly as it was published.
 * Stateless and thread-safe.
 */
final class Output {
    private static final JsonMapper MAPPER = new JsonMapper();

    private Output() {
    }

    /** message is one message as a line: the fields the broker sent, data as published. */
    static String message(Message m) {
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("id", m.id());
            g.writeStringField("topic", m.topic());
            g.writeFieldName("data");
            g.writeRawValue(m.data());
            g.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> h : m.headers().entrySet()) {
                g.writeStringField(h.getKey(), h.getValue());
            }
            g.writeEndObject();
            g.writeStringField("timestamp", m.timestamp().toString());
            g.writeNumberField("retryCount", m.retryCount());
            g.writeNumberField("offset", m.offset());
            if (m.group().isPresent()) {
                g.writeStringField("group", m.group().get());
            }
            if (m.receipt().isPresent()) {
                g.writeStringField("receipt", m.receipt().get());
            }
            g.writeEndObject();
        });
    }

    /** published is the answer to one publish as a line. */
    static String published(Published p) {
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("id", p.id());
            g.writeStringField("topic", p.topic());
            g.writeNumberField("offset", p.offset());
            if (p.replayed()) {
                g.writeBooleanField("replayed", true);
            }
            g.writeEndObject();
        });
    }

    /** object is a flat object of names and values as a line. */
    static String object(Map<String, ?> fields) {
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** indented is a JSON answer of the broker, indented for people. */
    static String indented(String json) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Writing {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(Writing w) {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(s)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }
}
