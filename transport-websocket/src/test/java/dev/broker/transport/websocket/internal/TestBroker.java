package dev.broker.transport.websocket.internal;

import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** TestBroker is a broker started in-process on a free port, with the memory store, for one test class. */
final class TestBroker implements AutoCloseable {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    final Broker broker;
    final URI ws;

    private TestBroker(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("PORT", "0");
        env.putIfAbsent("PERSISTENCE_ENABLED", "false");
        broker = Broker.start(Settings.fromEnvironment(env));
        ws = URI.create("ws://127.0.0.1:" + broker.endpoints().get(0).getPort() + "/ws");
    }

    /** start starts a broker with these settings besides a free port and no persistence. */
    static TestBroker start(Map<String, String> settings) {
        return new TestBroker(settings);
    }

    /** topic is a topic name no other test uses: {@code prefix.tN}. */
    static String topic(String prefix) {
        return prefix + ".t" + TOPICS.incrementAndGet();
    }

    WsClient connect() {
        return WsClient.connect(ws);
    }

    /** publish stores messages in-process, as the HTTP transport would, and waits until they are stored. */
    List<Message> publish(String topic, String... data) {
        List<NewMessage> batch = java.util.Arrays.stream(data).map(NewMessage::of).toList();
        return broker.broker().publish(TopicName.of(topic), batch).toCompletableFuture()
                .orTimeout(WsClient.DEADLINE_SECONDS, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        broker.close();
    }
}
