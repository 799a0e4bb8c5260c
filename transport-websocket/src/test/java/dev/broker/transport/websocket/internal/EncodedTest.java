package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broker.api.Delivery;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.web.json.WireJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * EncodedTest checks the hand-written message frame against the one Jackson writes: the same
 * tokens and values (Jackson writes characters outside the BMP as escapes, the frame as UTF-8).
 */
class EncodedTest {
    private static java.util.List<String> tokens(String json) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (com.fasterxml.jackson.core.JsonParser p = WireJson.parser(json.getBytes(StandardCharsets.UTF_8))) {
            for (var t = p.nextToken(); t != null; t = p.nextToken()) {
                out.add(t + ":" + p.getText());
            }
        }
        return out;
    }

    private static void same(String expected, String actual) throws Exception {
        assertEquals(tokens(expected), tokens(actual));
    }

    private static String withJackson(Delivery d, String subscription) {
        return new String(WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message");
            g.writeStringField("subscription", subscription);
            WireJson.writeMessageFields(g, d);
            g.writeEndObject();
        }), StandardCharsets.UTF_8);
    }

    @Test
    void theFrameIsWhatAJsonGeneratorWrites() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("trace", "a\"b\\c\n\u0000");
        headers.put("ünï", "🎉 </script>");
        Message m = new Message(new UUID(7, 9), TopicName.of("orders.eu"), 12, Instant.parse("2026-12-03T10:00:00.250Z"), headers,
                "{\"n\": [1, \"€\"], \"s\": \"\\u0000\"}");
        Delivery broadcast = Delivery.broadcast(m);
        same(withJackson(broadcast, "orders.*"), new String(Encoded.encode(broadcast, "orders.*"), StandardCharsets.UTF_8));
        Delivery member = new Delivery(m, 3, Optional.of(GroupName.of("workers")), Optional.of("c.1.abc_-"));
        same(withJackson(member, "orders.>"), new String(Encoded.encode(member, "orders.>"), StandardCharsets.UTF_8));
        Message bare = new Message(new UUID(1, 1), TopicName.of("t"), 0, Instant.EPOCH, Map.of(), "null");
        assertEquals(withJackson(Delivery.broadcast(bare), "t"), new String(Encoded.encode(Delivery.broadcast(bare), "t"),
                StandardCharsets.UTF_8));
    }
}
