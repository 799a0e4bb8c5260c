package dev.broker.client;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * TestBroker is a real broker started in this process on a free port, with the HTTP and WebSocket
 * transports: the client talks to it over the wire as to any broker. {@link #restart} stops it
 * and starts it again on the same port (with its store, when persistence is on).
 */
final class TestBroker implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private final Map<String, String> settings;
    private Broker broker;
    private int port;

    private TestBroker(Map<String, String> settings) {
        this.settings = new HashMap<>(settings);
        this.settings.putIfAbsent("PERSISTENCE_ENABLED", "false");
        this.settings.put("PORT", "0");
        broker = Broker.start(Settings.fromEnvironment(this.settings));
        port = broker.endpoints().get(0).getPort();
    }

    static TestBroker start(Map<String, String> settings) {
        return new TestBroker(settings);
    }

    static TestBroker start() {
        return new TestBroker(Map.of());
    }

    /** url is the broker's HTTP address. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** topic is a topic name no other test uses. */
    static String topic(String prefix) {
        return prefix + ".t" + TOPICS.incrementAndGet() + "x" + ProcessHandle.current().pid();
    }

    /** stop stops the broker; {@link #startAgain} starts it on the same port. */
    void stop() {
        broker.close();
    }

    void startAgain() {
        Map<String, String> again = new HashMap<>(settings);
        again.put("PORT", Integer.toString(port));
        broker = Broker.start(Settings.fromEnvironment(again));
    }

    /** await waits until {@code condition} holds, or fails the test at the deadline. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        broker.close();
    }
}
