package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.client.BrokerClient;
import dev.broker.client.BrokerRefusedException;
import dev.broker.client.ConsumeOptions;
import dev.broker.client.ConsumerLoop;
import dev.broker.client.ErrorCode;
import dev.broker.client.Message;
import dev.broker.client.StartFrom;
import dev.broker.client.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ClientIT drives the built image with the Java client, as an application would: its calls, its
 * refusals, and a broker killed with SIGKILL and started again on the same port and DATA_DIR under
 * a broadcast subscriber and a consumer loop, which must reconnect by themselves and lose nothing.
 */
class ClientIT {
    @TempDir
    Path data;

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    private static List<String> numbers(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void theClientsCallsAndRefusalsAgainstTheImage() throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of());
             BrokerClient client = BrokerClient.connect(broker.base().toString())) {
            client.publish("client.it", "{\"a\":[1,2.50]}", Map.of("trace", "t-1"));
            Message m = client.consume("client.it", ConsumeOptions.defaults().manualAck()).orElseThrow();
            assertEquals("{\"a\":[1,2.50]}", m.data());
            assertEquals(Map.of("trace", "t-1"), m.headers());
            assertEquals(1, client.ack("client.it", "default", List.of(m.receipt().orElseThrow())).count());
            assertEquals(1, client.topics().stream().filter(t -> t.name().equals("client.it")).count());
            BrokerRefusedException e = org.junit.jupiter.api.Assertions.assertThrows(BrokerRefusedException.class,
                    () -> client.publish("dlq.client", "1"));
            assertEquals(ErrorCode.RESERVED_TOPIC, e.code());
        }
    }

    @Test
    void aSubscriberAndAConsumerLoopLoseNothingWhenTheBrokerIsKilledAndRestarted() throws Exception {
        Map<String, String> env = Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", data.toString());
        RunningImage broker = RunningImage.start(RunningImage.image(), env);
        String url = broker.base().toString();
        int port = broker.base().getPort();
        List<Long> offsets = new CopyOnWriteArrayList<>();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        try (BrokerClient client = BrokerClient.connect(url);
             Subscription sub = client.subscription("client.crash").from(StartFrom.EARLIEST)
                     .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                     .start(d -> offsets.add(d.message().offset()));
             ConsumerLoop loop = client.consumerLoop("client.crash").group("workers").concurrency(4)
                     .pollWait(Duration.ofSeconds(1)).reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                     .start(m -> handled.add(m.data()))) {
            client.publishBatch("client.crash", numbers(0, 100), Map.of());
            await("the subscriber has the first 100", () -> offsets.size() == 100);

            broker.process.destroyForcibly(); // SIGKILL
            broker.process.waitFor();
            await("the subscription sees the broker gone", () -> !sub.connected());
            broker = RunningImage.launch(RunningImage.image(), env, "--port", Integer.toString(port));
            broker.awaitOutput("started in", 60);

            await("the subscription is back", sub::connected);
            client.publishBatch("client.crash", numbers(100, 200), Map.of());
            await("the subscriber has all 200", () -> offsets.size() >= 200);
            await("the loop has handled all 200", () -> handled.size() == 200);
            assertEquals(IntStream.range(0, 200).mapToObj(i -> (long) i).toList(), offsets, "each offset once, in order");
            assertEquals(Set.copyOf(numbers(0, 200)), handled);
        } finally {
            broker.close();
        }
    }
}
