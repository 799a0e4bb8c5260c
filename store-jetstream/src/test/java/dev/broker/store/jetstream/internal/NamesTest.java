package dev.broker.store.jetstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void aTopicsStreamNameHasNoDotsAndGivesTheTopicBack() {
        for (String t : new String[] {"orders", "a.b", "a_b", "a._b", "a_.b", "a__d", "dlq.x_y.z"}) {
            String stream = Names.stream(TopicName.of(t));
            assertEquals(-1, stream.indexOf('.'), stream);
            assertEquals(Optional.of(TopicName.of(t)), Names.topic(stream), stream);
        }
        assertEquals("T-a_db", Names.stream(TopicName.of("a.b")));
        assertEquals("t.a.b", Names.subject(TopicName.of("a.b")));
        assertEquals("g__1", Names.consumer(GroupName.of("g_1")));
    }

    @Test
    void streamsTheStoreDidNotMakeAreNotTopics() {
        assertEquals(Optional.empty(), Names.topic("KV_broker"));
        assertEquals(Optional.empty(), Names.topic("T-a_x"));
        assertEquals(Optional.empty(), Names.topic("T-a_"));
    }
}
