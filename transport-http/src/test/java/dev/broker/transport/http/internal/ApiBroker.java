package dev.broker.transport.http.internal;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** ApiBroker is a broker started in-process on a free port with the memory store and the given settings, for one test. */
final class ApiBroker implements AutoCloseable {
    final Broker broker;
    final URI base;
    final int port;

    private ApiBroker(Map<String, String> env) {
        broker = Broker.start(Settings.fromEnvironment(env));
        port = broker.endpoints().get(0).getPort();
        base = URI.create("http://127.0.0.1:" + port + "/");
    }

    /** start starts a broker with these settings, name then value, besides a free port and no persistence. */
    static ApiBroker start(String... settings) {
        Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return new ApiBroker(env);
    }

    @Override
    public void close() {
        broker.close();
    }
}
