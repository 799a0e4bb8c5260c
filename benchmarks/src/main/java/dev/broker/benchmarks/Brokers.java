package dev.broker.benchmarks;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Brokers starts embedded brokers for the benchmarks, on a fresh data directory each. */
final class Brokers {
    private Brokers() {
    }

    /** start starts a broker on the store ({@code memory}, or {@code mvstore} with an FSYNC mode). */
    static Broker start(String store, String fsync, Map<String, String> extra) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        if (store.equals("memory")) {
            env.put("PERSISTENCE_ENABLED", "false");
        } else {
            Path dir = Files.createTempDirectory("broker-bench-");
            dir.toFile().deleteOnExit();
            env.put("PERSISTENCE_ENABLED", "true");
            env.put("STORE", store);
            env.put("DATA_DIR", dir.toString());
            env.put("FSYNC", fsync);
        }
        env.put("MAX_QUEUE_SIZE", "100000000");
        env.putAll(extra);
        return Broker.startEmbedded(Settings.fromEnvironment(env));
    }
}
