package dev.broker.client.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.broker.client.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Json reads and writes the broker's wire JSON. A message's {@code data} is cut out of the answer
 * as the raw text the broker wrote (the data as it was published, docs/decisions/0003), never
 * parsed into a tree and written again. Thread-safe: Jackson's mapper and factory are.
 */
public final class Json {
    /** MAPPER reads and writes JSON; strings as large as a whole answer are allowed. */
    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build())
            .build();
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Json() {
    }

    /** read maps JSON text into {@code type}, or says why it does not fit. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the data does not fit " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** tree parses JSON text the broker sent. */
    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the broker sent JSON this client cannot read: " + e.getOriginalMessage(), e);
        }
    }

    /** write writes a value as JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the value cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * checkJson says whether {@code text} is exactly one JSON value, and if not why not: a publish
     * with bad data is refused before it is sent.
     */
    public static Optional<String> checkJson(String text) {
        try (JsonParser p = MAPPER.createParser(text)) {
            if (p.nextToken() == null) {
                return Optional.of("it is empty");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return Optional.of("more than one JSON value");
            }
            return Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.of(e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** message reads one message object, as {@code GET /consume} answers it. */
    public static Message message(String json) {
        return messages(json, false).get(0);
    }

    /** messageList reads an array of message objects, as the batch consume and browse answer. */
    public static List<Message> messageList(String json) {
        return messages(json, true);
    }

    /** frame reads a WebSocket frame: its {@code type}, every other scalar field, and the message in it, if any. */
    public static Frame frame(String json) {
        try (JsonParser p = MAPPER.createParser(json)) {
            expect(p, JsonToken.START_OBJECT);
            Fields f = fields(p, json);
            Optional<Message> message = f.values.containsKey("id") && f.data != null ? Optional.of(f.toMessage()) : Optional.empty();
            return new Frame(f.values.getOrDefault("type", ""), f.values, message);
        } catch (IOException e) {
            throw new IllegalStateException("the broker sent a frame this client cannot read: " + e.getMessage(), e);
        }
    }

    /** Frame is one WebSocket frame from the broker. */
    public record Frame(String type, Map<String, String> fields, Optional<Message> message) {
        /** field is a scalar field's text. */
        public Optional<String> field(String name) {
            return Optional.ofNullable(fields.get(name));
        }
    }

    private static List<Message> messages(String json, boolean array) {
        try (JsonParser p = MAPPER.createParser(json)) {
            List<Message> out = new ArrayList<>();
            if (array) {
                expect(p, JsonToken.START_ARRAY);
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    out.add(fields(p, json).toMessage());
                }
            } else {
                expect(p, JsonToken.START_OBJECT);
                out.add(fields(p, json).toMessage());
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the broker sent a message this client cannot read: " + e.getMessage(), e);
        }
    }

    private static void expect(JsonParser p, JsonToken token) throws IOException {
        if (p.nextToken() != token) {
            throw new IOException("expected " + token + ", found " + p.currentToken());
        }
    }

    /** fields reads the object the parser is at the start of, up to its end. */
    private static Fields fields(JsonParser p, String source) throws IOException {
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals("data")) {
                int start = (int) p.currentTokenLocation().getCharOffset();
                if (t.isStructStart()) {
                    p.skipChildren();
                } else {
                    p.getText(); // reads a string to its end, so that the location is past it
                }
                int end = (int) p.currentLocation().getCharOffset();
                f.data = source.substring(start, end);
            } else if (name.equals("headers") && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    f.headers.put(key, p.getText());
                }
            } else if (t.isStructStart()) {
                p.skipChildren();
            } else if (t != JsonToken.VALUE_NULL) {
                f.values.put(name, p.getText());
            }
        }
        return f;
    }

    private static final class Fields {
        final Map<String, String> values = new LinkedHashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>();
        String data;

        Message toMessage() {
            if (data == null || !values.containsKey("id")) {
                throw new IllegalStateException("a message without id or data");
            }
            return new Message(values.get("id"), values.getOrDefault("topic", ""), data, headers,
                    Instant.parse(values.get("timestamp")), Integer.parseInt(values.getOrDefault("retryCount", "0")),
                    Long.parseLong(values.get("offset")), Optional.ofNullable(values.get("group")),
                    Optional.ofNullable(values.get("receipt")));
        }
    }

    /** duration formats a duration as the broker reads it: whole milliseconds, {@code 1500ms}. */
    public static String duration(Duration d) {
        return d.toMillis() + "ms";
    }

    /** parseDuration reads a duration as the broker writes it: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use 500ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
