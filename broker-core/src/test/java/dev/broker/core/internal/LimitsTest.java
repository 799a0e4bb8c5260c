package dev.broker.core.internal;

import static dev.broker.core.internal.Fixture.receipt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LimitsTest checks MAX_TOPICS and MAX_GROUPS_PER_TOPIC in the core, where both transports meet them (docs/limits.md). */
class LimitsTest {
    private final Fixture fx = Fixture.of("MAX_TOPICS", "3", "MAX_GROUPS_PER_TOPIC", "2", "MAX_DELIVERIES", "1");

    @AfterEach
    void close() {
        fx.close();
    }

    private static BrokerException refused(Runnable r) {
        Throwable t = assertThrows(RuntimeException.class, r::run);
        Throwable cause = t instanceof CompletionException ? t.getCause() : t;
        assertTrue(cause instanceof BrokerException, String.valueOf(cause));
        return (BrokerException) cause;
    }

    @Test
    void oneTopicMoreThanMaxTopicsIsRefusedAndTheOthersWork() {
        fx.publish("a", "1");
        fx.publish("b", "1");
        fx.publish("c", "1");
        BrokerException e = refused(() -> fx.publish("d", "1"));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
        assertTrue(e.getMessage().contains("MAX_TOPICS"), e.getMessage());
        // A long poll on a new topic would make it: refused the same way.
        assertEquals(ErrorCode.LIMIT_EXCEEDED, refused(() -> fx.poll("e", GroupName.of("g"), 1,
                dev.broker.api.AckMode.AUTO, Duration.ofSeconds(1)).join()).code());
        assertEquals(1, fx.publish("a", "2").size(), "existing topics take publishes");
        fx.router.delete(TopicName.of("c"));
        assertEquals(1, fx.publish("d", "1").size(), "a deleted topic makes room");
    }

    @Test
    void aDeadLetterTopicIsMadeEvenAtTheLimit() {
        fx.publish("a", "1");
        fx.publish("b", "1");
        fx.publish("c", "1");
        GroupName g = GroupName.of("workers");
        String r = receipt(fx.manual("a", g, 1).get(0));
        fx.nack("a", g, r);
        assertEquals(1, fx.browse("dlq.a").size(), "the dead letter was stored");
    }

    @Test
    void oneGroupMoreThanMaxGroupsPerTopicIsRefused() {
        fx.publish("a", "1");
        fx.auto("a", GroupName.of("one"), 1);
        fx.router.createGroup(TopicName.of("a"), GroupName.of("two"), new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 5));
        BrokerException e = refused(() -> fx.auto("a", GroupName.of("three"), 1));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
        assertTrue(e.getMessage().contains("MAX_GROUPS_PER_TOPIC"), e.getMessage());
        assertEquals(ErrorCode.LIMIT_EXCEEDED, refused(() -> fx.router.createGroup(TopicName.of("a"), GroupName.of("four"),
                new GroupSettings(StartFrom.EARLIEST, Duration.ofSeconds(30), 5))).code());
        assertEquals(0, fx.auto("a", GroupName.of("one"), 1).size(), "existing groups consume as before");
        assertEquals(1, fx.auto("a", GroupName.of("two"), 1).size());
    }

    @Test
    void aBrowseAnswerStopsAtMaxRequestSizeBytesOfData() {
        try (Fixture small = Fixture.of("MAX_MESSAGE_SIZE", "1024", "MAX_REQUEST_SIZE", "4096")) {
            String data = "\"" + "b".repeat(998) + "\"";
            for (int i = 0; i < 10; i++) {
                small.publish("big", data);
            }
            java.util.List<dev.broker.api.Message> first = small.router.browse(TopicName.of("big"), 0, 100);
            assertEquals(4, first.size(), "4 x 1000 bytes fit in 4096, a fifth would not");
            java.util.List<dev.broker.api.Message> next = small.router.browse(TopicName.of("big"), 4, 100);
            assertEquals(4, next.size());
            assertEquals(4, next.get(0).offset(), "the next page starts where the last ended");
            assertEquals(2, small.router.browse(TopicName.of("big"), 8, 100).size());
        }
    }
}
