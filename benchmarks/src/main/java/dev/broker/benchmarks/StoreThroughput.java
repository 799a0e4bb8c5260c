package dev.broker.benchmarks;

import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import dev.broker.core.Broker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * StoreThroughput measures stored messages per second through the broker's core with 1, 8 and 64
 * concurrent publishers, each waiting for its publish to be stored before the next (as an HTTP
 * client does), for the memory store and the MVStore store in each FSYNC mode. It prints a
 * Markdown table. Run: see docs/BENCHMARKS.md.
 *
 * <p>Arguments: seconds per cell (default 5), message size in bytes (default 128); then, to run one
 * cell only (for a profile), the store, the FSYNC mode and the number of publishers, e.g.
 * {@code 10 128 mvstore interval 8}.
 */
public final class StoreThroughput {
    private StoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        if (args.length >= 5) {
            System.out.printf("%s %s, %s publishers: %,d stored messages/s%n", args[2], args[3], args[4],
                    (long) run(args[2], args[3], Integer.parseInt(args[4]), seconds, size));
            return;
        }
        String[][] stores = {{"memory", "-"}, {"mvstore", "never"}, {"mvstore", "interval"}, {"mvstore", "always"}};
        int[] publishers = {1, 8, 64};
        System.out.printf("Stored messages per second, %d-byte messages, %d s per cell, %d cores, Java %s%n%n", size, seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| store | FSYNC | 1 publisher | 8 publishers | 64 publishers |");
        System.out.println("|---|---|---:|---:|---:|");
        for (String[] store : stores) {
            StringBuilder row = new StringBuilder("| " + store[0] + " | " + store[1] + " |");
            for (int n : publishers) {
                row.append(String.format(" %,d |", (long) run(store[0], store[1], n, seconds, size)));
            }
            System.out.println(row);
        }
    }

    static double run(String store, String fsync, int publishers, int seconds, int size) throws Exception {
        try (Broker broker = Brokers.start(store, fsync, Map.of())) {
            TopicName topic = TopicName.of("bench.throughput");
            List<NewMessage> message = List.of(NewMessage.of("\"" + "x".repeat(Math.max(0, size - 2)) + "\""));
            LongAdder stored = new LongAdder();
            AtomicBoolean counting = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        broker.broker().publish(topic, message).toCompletableFuture().join();
                        if (counting.get()) {
                            stored.increment();
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(1000); // warm-up
            counting.set(true);
            long began = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            counting.set(false);
            double elapsed = (System.nanoTime() - began) / 1e9;
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            return stored.sum() / elapsed;
        }
    }
}
