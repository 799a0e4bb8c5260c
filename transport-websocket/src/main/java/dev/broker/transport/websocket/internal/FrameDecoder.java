package dev.broker.transport.websocket.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.web.json.JsonValues;
import dev.broker.web.json.WireJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * FrameDecoder turns a text frame into a {@link Frame}, or throws {@link FrameException} with an
 * error code and the frame's {@code messageId} when it has one. Unknown fields are ignored (the
 * seed's clients send {@code timestamp}). Stateless and thread-safe.
 */
final class FrameDecoder {
    private FrameDecoder() {
    }

    /** FrameException is a bad frame: the connection answers with an error frame and lives on. */
    static final class FrameException extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;
        final transient Optional<String> messageId;

        FrameException(ErrorCode code, String message, Optional<String> messageId) {
            super(message, null, false, false);
            this.code = code;
            this.messageId = messageId;
        }
    }

    static Frame decode(String text) throws FrameException {
        return decode(text.getBytes(StandardCharsets.UTF_8));
    }

    /** decode reads a frame from the UTF-8 bytes of a text message. */
    static Frame decode(byte[] json) throws FrameException {
        Map<String, String> strings = new LinkedHashMap<>();
        Map<String, String> headers = new LinkedHashMap<>();
        String data = null;
        // A bad field is reported once the whole frame is read, so the error carries the frame's
        // messageId wherever it stands in the object.
        Problem problem = null;
        try (JsonParser p = WireJson.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FrameException(ErrorCode.INVALID_JSON, "a frame must be a JSON object", Optional.empty());
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "data" -> data = JsonValues.raw(p, json);
                    case "headers" -> {
                        Problem bad = readHeaders(p, value, headers);
                        problem = problem == null ? bad : problem;
                    }
                    case "type", "topic", "group", "ack", "from", "receipt", "reason", "delay", "ttl", "maxInFlight", "messageId" -> {
                        if (value == JsonToken.VALUE_NULL) {
                            continue;
                        }
                        if (!value.isScalarValue() || value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
                            p.skipChildren();
                            if (problem == null) {
                                problem = new Problem(ErrorCode.INVALID_FRAME, "'" + field + "' must be a string");
                            }
                            continue;
                        }
                        strings.put(field, p.getText());
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new FrameException(ErrorCode.INVALID_JSON, "a frame must be exactly one JSON object", Optional.empty());
            }
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.INVALID_JSON, "the frame is not valid JSON: " + firstLine(e.getOriginalMessage()),
                    Optional.ofNullable(strings.get("messageId")));
        } catch (BrokerException e) {
            throw new FrameException(e.code(), e.detail(), Optional.ofNullable(strings.get("messageId")));
        } catch (IOException e) {
            throw new FrameException(ErrorCode.INVALID_JSON, "the frame could not be read", Optional.empty());
        }
        if (problem != null) {
            throw new FrameException(problem.code(), problem.message(), Optional.ofNullable(strings.get("messageId")));
        }
        Optional<String> messageId = Optional.ofNullable(strings.get("messageId"));
        String type = strings.get("type");
        if (type == null) {
            throw new FrameException(ErrorCode.INVALID_FRAME, "the frame has no 'type'", messageId);
        }
        String topic = strings.get("topic");
        if (topic == null) {
            throw new FrameException(ErrorCode.INVALID_FRAME, "a '" + type + "' frame needs a 'topic'", messageId);
        }
        Optional<String> group = Optional.ofNullable(strings.get("group"));
        return switch (type) {
            case "publish" -> {
                if (data == null) {
                    throw new FrameException(ErrorCode.INVALID_FRAME, "a 'publish' frame needs 'data'", messageId);
                }
                yield new Frame.Publish(topic, data, headers, messageId, Optional.ofNullable(strings.get("delay")),
                        Optional.ofNullable(strings.get("ttl")));
            }
            case "subscribe" -> new Frame.Subscribe(topic, group, Optional.ofNullable(strings.get("ack")),
                    Optional.ofNullable(strings.get("from")), Optional.ofNullable(strings.get("maxInFlight")));
            case "unsubscribe" -> new Frame.Unsubscribe(topic, group);
            case "ack", "nack", "extend" -> new Frame.Settle(type, topic, group, Optional.ofNullable(strings.get("receipt")),
                    Optional.ofNullable(strings.get("reason")), Optional.ofNullable(strings.get("delay")));
            default -> throw new FrameException(ErrorCode.INVALID_FRAME, "unknown frame type '" + type
                    + "': use publish, subscribe, unsubscribe, ack, nack or extend", messageId);
        };
    }

    /** Problem is a bad field, reported once the frame is read. */
    private record Problem(ErrorCode code, String message) {
    }

    /** readHeaders reads the headers object into {@code headers}; returns the first bad header, if any, or null. */
    private static Problem readHeaders(JsonParser p, JsonToken value, Map<String, String> headers) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new Problem(ErrorCode.INVALID_HEADER, "'headers' must be an object of strings");
        }
        Problem problem = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING || name.isEmpty()) {
                p.skipChildren();
                if (problem == null) {
                    problem = new Problem(ErrorCode.INVALID_HEADER, "header '" + name + "' must have a string value");
                }
                continue;
            }
            headers.put(name, p.getText());
        }
        return problem;
    }

    private static String firstLine(String s) {
        int cut = s == null ? -1 : s.indexOf('\n');
        return cut < 0 ? String.valueOf(s) : s.substring(0, cut);
    }
}
