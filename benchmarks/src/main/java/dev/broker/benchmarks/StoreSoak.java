package dev.broker.benchmarks;

import dev.broker.api.AckMode;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.GroupName;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import dev.broker.core.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * StoreSoak runs a steady publish and consume load on the MVStore store and prints the store
 * file's size every minute, to show that space is reclaimed: the topic keeps MAX_QUEUE_SIZE
 * messages, consumed ones are evicted, and whole segment maps are dropped.
 *
 * <p>Arguments: minutes (default 10), publishers (default 8).
 */
public final class StoreSoak {
    private StoreSoak() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int publishers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path dir = Files.createTempDirectory("broker-soak-");
        try (Broker broker = Broker.startEmbedded(dev.broker.core.Settings.fromEnvironment(Map.of("PORT", "0",
                "DATA_DIR", dir.toString(), "MAX_QUEUE_SIZE", "10000")))) {
            TopicName topic = TopicName.of("bench.soak");
            List<NewMessage> message = List.of(NewMessage.of("\"" + "x".repeat(126) + "\""));
            AtomicBoolean stop = new AtomicBoolean();
            LongAdder published = new LongAdder();
            LongAdder consumed = new LongAdder();
            for (int i = 0; i < publishers; i++) {
                new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            broker.broker().publish(topic, message).toCompletableFuture().join();
                            published.increment();
                        } catch (RuntimeException full) {
                            Thread.onSpinWait(); // topic full until the consumer catches up
                        }
                    }
                }).start();
            }
            Thread consumer = new Thread(() -> {
                ConsumeRequest request = new ConsumeRequest(topic, GroupName.of("soak"), 1000, AckMode.AUTO, Duration.ofSeconds(1));
                while (!stop.get()) {
                    consumed.add(broker.broker().consume(request).toCompletableFuture().join().size());
                }
            });
            consumer.start();
            System.out.println("| minute | published | consumed | file size |");
            System.out.println("|---:|---:|---:|---:|");
            for (int m = 1; m <= minutes; m++) {
                Thread.sleep(60_000);
                System.out.printf("| %d | %,d | %,d | %,d KB |%n", m, published.sum(), consumed.sum(), size(dir) / 1024);
            }
            stop.set(true);
            consumer.join();
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
