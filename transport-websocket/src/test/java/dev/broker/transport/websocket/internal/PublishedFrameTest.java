package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.web.json.WireJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** PublishedFrameTest checks the hand-written publish reply against a JSON parser. */
class PublishedFrameTest {
    private static Map<String, String> parse(byte[] json) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = WireJson.parser(json)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                out.put(name, p.getText());
            }
            assertEquals(JsonToken.END_OBJECT, p.currentToken());
            assertEquals(null, p.nextToken(), "nothing after the object");
        }
        return out;
    }

    @Test
    void theReplyIsJsonWithEveryFieldAndAnEscapedMessageId() throws Exception {
        Message m = new Message(new UUID(1, 2), TopicName.of("orders.eu-1_x"), 42, Instant.parse("2026-12-03T10:00:00.007Z"),
                Map.of(), "{}");
        String tricky = "quote\" backslash\\ newline\n tab\t nul\u0000 ünï 🎉 </script>";
        Map<String, String> fields = parse(Connection.publishedFrame(Optional.of(tricky), m, false));
        assertEquals(Map.of("type", "published", "messageId", tricky, "id", m.id().toString(), "topic", "orders.eu-1_x",
                "offset", "42", "timestamp", "2026-12-03T10:00:00.007Z"), fields);
        assertEquals(java.util.List.of("type", "messageId", "id", "topic", "offset", "timestamp"), java.util.List.copyOf(fields.keySet()));
        Map<String, String> plain = parse(Connection.publishedFrame(Optional.empty(), m, false));
        assertEquals(5, plain.size());
        assertEquals(null, plain.get("messageId"));
        Map<String, String> replay = parse(Connection.publishedFrame(Optional.of("k"), m, true));
        assertEquals("true", replay.get("replayed"));
        assertEquals(java.util.List.of("type", "messageId", "id", "topic", "offset", "timestamp", "replayed"),
                java.util.List.copyOf(replay.keySet()));
    }
}
