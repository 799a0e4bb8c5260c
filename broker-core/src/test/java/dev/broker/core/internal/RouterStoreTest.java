package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.TopicPattern;
import dev.broker.core.Settings;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoreState;
import dev.broker.spi.StoredGroup;
import dev.broker.spi.StoredTopic;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** RouterStoreTest checks how the router uses its store: recovery, failed writes and a store that cannot write. */
class RouterStoreTest {
    private static final TopicName T = TopicName.of("orders");
    private static final GroupName G = GroupName.of("workers");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);

    /** TestStore is the memory store with what it recovers, its problem and its next append failure set by the test. */
    private static final class TestStore implements MessageStore {
        final MemoryStore memory = new MemoryStore();
        final List<StoredTopic> recovered = new ArrayList<>();
        volatile Optional<String> problem = Optional.empty();
        volatile boolean failNextAppend;

        @Override
        public StoreState recover() {
            return new StoreState(recovered, List.of());
        }

        @Override
        public CompletionStage<Void> saveGroup(StoredGroup group) {
            return memory.saveGroup(group);
        }

        @Override
        public CompletionStage<Void> append(TopicName topic, List<Message> messages) {
            if (failNextAppend) {
                failNextAppend = false;
                return CompletableFuture.failedFuture(new IOException("No space left on device"));
            }
            return memory.append(topic, messages);
        }

        @Override
        public List<Message> read(TopicName topic, long fromOffset, int limit) {
            return memory.read(topic, fromOffset, limit);
        }

        @Override
        public void truncate(TopicName topic, long firstOffset) {
            memory.truncate(topic, firstOffset);
        }

        @Override
        public void delete(TopicName topic) {
            memory.delete(topic);
        }

        @Override
        public Optional<String> problem() {
            return problem;
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    private final TestStore store = new TestStore();

    private Router router(String... settings) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PERSISTENCE_ENABLED", "false"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return new Router(Settings.fromEnvironment(env), store, CLOCK,
                new Plugins(new MemoryStoreProvider(), List.of(), List.of()));
    }

    private static BrokerException refused(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return assertInstanceOf(BrokerException.class, e.getCause());
        }
        return fail("not refused");
    }

    private static List<Long> offsets(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.message().offset()).toList();
    }

    @Test
    void continuesTheTopicsTheStoreRecovered() {
        store.memory.append(T, LongStream.range(5, 10).mapToObj(o -> new Message(new UUID(0, o), T, o,
                CLOCK.instant(), Map.of(), Long.toString(o))).toList());
        store.recovered.add(new StoredTopic(T, 5, 10));
        store.recovered.add(new StoredTopic(TopicName.of("empty"), 3, 3));
        Router router = router();

        assertEquals(List.of(new TopicInfo(TopicName.of("empty"), 0, 3, 2), new TopicInfo(T, 5, 5, 9)),
                router.topics());
        assertEquals(LongStream.range(5, 10).boxed().toList(), offsets(router.consume(T, G, 100)));
        assertEquals(10, router.publish(T, List.of(NewMessage.of("10"))).toCompletableFuture().join().get(0).offset());
        assertEquals(3, router.publish(TopicName.of("empty"), List.of(NewMessage.of("x")))
                .toCompletableFuture().join().get(0).offset());
        assertEquals(List.of(10L), offsets(router.consume(T, G, 100)));
    }

    @Test
    void recoveredTopicReachesWildcardSubscribers() {
        store.recovered.add(new StoredTopic(T, 0, 0));
        Router router = router();
        List<String> got = new ArrayList<>();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of("*")), d -> got.add(d.message().data()));
        router.publish(T, List.of(NewMessage.of("1"))).toCompletableFuture().join();
        assertEquals(List.of("1"), got);
    }

    @Test
    void failedWriteStoresNothingAndTakesNoOffsets() {
        Router router = router();
        router.publish(T, List.of(NewMessage.of("0"))).toCompletableFuture().join();
        List<String> broadcast = new ArrayList<>();
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of(T.value())), d -> broadcast.add(d.message().data()));

        store.failNextAppend = true;
        BrokerException e = refused(router.publish(T, List.of(NewMessage.of("lost1"), NewMessage.of("lost2"))));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals(List.of(new TopicInfo(T, 1, 0, 0)), router.topics());

        assertEquals(1, router.publish(T, List.of(NewMessage.of("1"))).toCompletableFuture().join().get(0).offset());
        assertEquals(List.of("0", "1"), router.consume(T, G, 10).stream().map(d -> d.message().data()).toList());
        assertEquals(List.of("1"), broadcast);
    }

    @Test
    void storeThatCannotWriteRefusesPublishesAndHealthIsDown() {
        Router router = router();
        store.problem = Optional.of("the disk is full");
        BrokerException e = refused(router.publish(T, List.of(NewMessage.of("1"))));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("the disk is full"), e.getMessage());
        assertFalse(router.health().up());
        assertEquals(Optional.of("the disk is full"), router.health().storeProblem());
        assertEquals(List.of(), router.topics());

        store.problem = Optional.empty();
        assertTrue(router.health().up());
        assertEquals(0, router.publish(T, List.of(NewMessage.of("1"))).toCompletableFuture().join().get(0).offset());
    }

    @Test
    void failedWriteToAFullTopicEvictsNothing() {
        Router router = router("MAX_QUEUE_SIZE", "2", "OVERFLOW_POLICY", "drop-oldest");
        router.subscribe(SubscribeRequest.broadcast(TopicPattern.of(T.value())), d -> { }).close(); // creates the topic
        assertEquals(List.of(), router.consume(T, G, 1)); // a group that has consumed nothing yet
        router.publish(T, List.of(NewMessage.of("0"), NewMessage.of("1"))).toCompletableFuture().join();

        store.failNextAppend = true;
        assertEquals(ErrorCode.STORE_UNAVAILABLE, refused(router.publish(T, List.of(NewMessage.of("2")))).code());

        // Nothing was stored, so nothing had to make room: the topic is as it was.
        assertEquals(List.of(new TopicInfo(T, 2, 0, 1)), router.topics());
        assertEquals(List.of(0L, 1L), offsets(router.consume(T, G, 10)));
    }
}
