package dev.broker.metrics.prometheus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CountingTest feeds the observer by hand and reads the registry, as a scrape would. */
class CountingTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counting counting = new Counting(registry, new LabelLimit("topic", 2), new LabelLimit("group", 2));

    private Exposition scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return new Exposition(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void topicsPastTheLimitAreCountedTogetherUnderOther() throws Exception {
        for (String t : new String[] {"t1", "t2", "t3", "t4"}) {
            counting.published(TopicName.of(t), 10, 1_000);
        }
        counting.published(TopicName.of("t4"), 5, 1_000);
        counting.published(TopicName.of("t1"), 1, 1_000);

        Exposition e = scrape();
        assertEquals(11, e.value("message_broker_messages_published_total", "topic", "t1"));
        assertEquals(10, e.value("message_broker_messages_published_total", "topic", "t2"));
        assertEquals(25, e.value("message_broker_messages_published_total", "topic", LabelLimit.OTHER));
        assertFalse(e.find("message_broker_messages_published_total", "topic", "t3").isPresent());
        assertEquals(6, e.value("message_broker_processing_duration_count"));
    }

    @Test
    void groupsPastTheLimitAreFoldedPerTopic() throws Exception {
        TopicName t = TopicName.of("orders");
        for (String g : new String[] {"g1", "g2", "g3", "g4"}) {
            counting.consumed(t, GroupName.of(g), 2);
        }
        Exposition e = scrape();
        assertEquals(2, e.value("message_broker_messages_consumed_total", "topic", "orders", "group", "g1"));
        assertEquals(4, e.value("message_broker_messages_consumed_total", "topic", "orders", "group", LabelLimit.OTHER));
    }

    @Test
    void everyReportLandsInItsMetric() throws Exception {
        TopicName t = TopicName.of("orders");
        GroupName g = GroupName.of("billing");
        counting.published(t, 3, 2_000_000);
        counting.rejected(t, ErrorCode.TOPIC_FULL);
        counting.rejected(t, ErrorCode.TOPIC_FULL);
        counting.consumed(t, g, 2);
        counting.redelivered(t, g, 1);
        counting.deadLettered(t, g, "nack");
        counting.deadLettered(t, g, "ack-timeout");
        counting.deadLettered(t, g, null);
        counting.dropped(t, 4, false);
        counting.dropped(t, 7, true);
        counting.slowConsumerDisconnected("websocket");
        counting.connectionOpened("websocket");
        counting.connectionOpened("websocket");
        counting.connectionClosed("websocket");
        counting.storeCommit(12, 3_000_000);

        Exposition e = scrape();
        assertEquals(3, e.value("message_broker_messages_published_total", "topic", "orders"));
        assertEquals(2, e.value("message_broker_publishes_rejected_total", "topic", "orders", "reason", "topic-full"));
        assertEquals(2, e.value("message_broker_messages_consumed_total", "topic", "orders", "group", "billing"));
        assertEquals(1, e.value("message_broker_messages_redelivered_total", "topic", "orders", "group", "billing"));
        for (String reason : new String[] {"nack", "ack-timeout", Counting.UNKNOWN_REASON}) {
            assertEquals(1, e.value("message_broker_messages_dead_lettered_total", "topic", "orders", "group", "billing",
                    "reason", reason), reason);
        }
        assertEquals(4, e.value("message_broker_messages_dropped_total", "topic", "orders", "reason", "overflow"));
        assertEquals(7, e.value("message_broker_messages_dropped_total", "topic", "orders", "reason", "expired"));
        assertEquals(1, e.value("message_broker_slow_consumer_disconnects_total", "transport", "websocket"));
        assertEquals(1L, counting.openConnections().get("websocket"));
        assertEquals(1, e.value("message_broker_store_commit_duration_seconds_count"));
        assertEquals(0.003, e.value("message_broker_store_commit_duration_seconds_sum"), 1e-9);
        assertEquals(1, e.value("message_broker_store_commit_duration_seconds_bucket", "le", "0.005"));
        assertEquals(0, e.value("message_broker_store_commit_duration_seconds_bucket", "le", "0.0025"));
        assertEquals(12, e.value("message_broker_store_operations_total"));
        assertEquals(0.002, e.value("message_broker_processing_duration_sum"), 1e-9);
        assertEquals(1, e.value("message_broker_processing_duration_bucket", "le", "0.0025"));
        assertEquals(0, e.value("message_broker_processing_duration_bucket", "le", "0.001"));
    }

    /**
     * The observer runs on the publish and delivery paths: once a topic and group have been seen,
     * a report must allocate nothing. Measured with the JVM's per-thread allocation counter.
     */
    @Test
    void reportsOfKnownTopicsAndGroupsAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        TopicName t = TopicName.of("orders");
        GroupName g = GroupName.of("billing");
        TopicName over = TopicName.of("past-the-limit");
        counting.published(t, 1, 1);
        counting.published(TopicName.of("fills-the-limit"), 1, 1);
        int reports = 200_000;
        // The first round warms up. Until the JIT has compiled the loop (later on a loaded
        // machine) the interpreter allocates what compiled code does not, so the best of up to
        // ten rounds counts; a report that really allocates does so in every round.
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 11 && best >= reports; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < reports; i++) {
                counting.published(t, 1, 150_000);
                counting.published(over, 1, 150_000);
                counting.consumed(t, g, 1);
                counting.redelivered(t, g, 1);
                counting.storeCommit(8, 40_000);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round > 0) {
                best = Math.min(best, allocated);
            }
        }
        assertTrue(best < reports, "counting allocated at least " + best + " bytes for " + 5 * reports
                + " reports; it must allocate nothing per report");
    }
}
