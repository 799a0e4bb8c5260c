package dev.broker.store.jetstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CodecTest {
    @Test
    void aMessageComesBackAsItWasWrittenAtTheOffsetGiven() {
        UUID id = UUID.randomUUID();
        Instant at = Instant.ofEpochMilli(1_700_000_000_123L);
        NewMessage m = new NewMessage("{\"é\":\"\u20ac\",\"n\":[1,2]}", Map.of("h", "v", "ü", ""));
        Message back = Codec.decode(TopicName.of("a.b"), 41, Codec.encode(id, at, m));
        assertEquals(new Message(id, TopicName.of("a.b"), 41, at, m.headers(), m.data()), back);
    }

    @Test
    void aPayloadOfAnotherFormatIsRefused() {
        byte[] p = Codec.encode(UUID.randomUUID(), Instant.now(), NewMessage.of("1"));
        p[0] = 9;
        assertThrows(IllegalStateException.class, () -> Codec.decode(TopicName.of("t"), 0, p));
    }
}
