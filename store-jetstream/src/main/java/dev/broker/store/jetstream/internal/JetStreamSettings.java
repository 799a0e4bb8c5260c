package dev.broker.store.jetstream.internal;

import dev.broker.spi.StoreSettingException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * JetStreamSettings are the store's own settings, read from the environment (docs/jetstream.md).
 * Immutable. A bad one is a {@link StoreSettingException}: one line, and start-up stops.
 *
 * @param servers     NATS_URL: the servers to connect to, any of which will do
 * @param replicas    JETSTREAM_REPLICAS: copies of each stream, 1 to 5
 * @param credentials NATS_CREDS: a credentials file (user JWT and NKey seed)
 * @param token       NATS_TOKEN
 * @param user        NATS_USER (with {@code password}, NATS_PASSWORD)
 * @param password    NATS_PASSWORD
 * @param trustStore  NATS_TLS_TRUSTSTORE: a PKCS12 or JKS file of the CAs to trust (tls:// servers)
 * @param trustStorePassword NATS_TLS_TRUSTSTORE_PASSWORD
 * @param keyStore    NATS_TLS_KEYSTORE: the client's key and certificate, for servers that verify clients
 * @param keyStorePassword NATS_TLS_KEYSTORE_PASSWORD
 */
record JetStreamSettings(List<String> servers, int replicas, Optional<Path> credentials, Optional<String> token,
                         Optional<String> user, Optional<String> password, Optional<Path> trustStore,
                         Optional<String> trustStorePassword, Optional<Path> keyStore, Optional<String> keyStorePassword) {
    private static final Set<String> SCHEMES = Set.of("nats", "tls");

    static JetStreamSettings of(Map<String, String> env) throws StoreSettingException {
        String urls = env.getOrDefault("NATS_URL", "").trim();
        if (urls.isEmpty()) {
            throw new StoreSettingException("NATS_URL is not set: STORE=jetstream needs the NATS servers, such as"
                    + " nats://nats-1:4222,nats://nats-2:4222");
        }
        List<String> servers = new ArrayList<>();
        for (String part : urls.split(",", -1)) {
            String url = part.trim();
            try {
                URI u = new URI(url);
                if (u.getScheme() == null || !SCHEMES.contains(u.getScheme()) || u.getHost() == null) {
                    throw new URISyntaxException(url, "not nats://host:port or tls://host:port");
                }
            } catch (URISyntaxException e) {
                throw new StoreSettingException("NATS_URL holds '" + url + "', which is not nats://host[:port] or"
                        + " tls://host[:port]; separate servers with commas");
            }
            servers.add(url);
        }
        int replicas;
        String r = env.getOrDefault("JETSTREAM_REPLICAS", "1").trim();
        try {
            replicas = Integer.parseInt(r);
        } catch (NumberFormatException e) {
            replicas = -1;
        }
        if (replicas < 1 || replicas > 5) {
            throw new StoreSettingException("JETSTREAM_REPLICAS is '" + r + "'; it must be a number from 1 to 5"
                    + " (3 for a three-server cluster)");
        }
        Optional<String> user = optional(env, "NATS_USER");
        Optional<String> password = optional(env, "NATS_PASSWORD");
        if (user.isPresent() != password.isPresent()) {
            throw new StoreSettingException("NATS_USER and NATS_PASSWORD go together: set both or neither");
        }
        Optional<String> trustPassword = optional(env, "NATS_TLS_TRUSTSTORE_PASSWORD");
        Optional<String> keyPassword = optional(env, "NATS_TLS_KEYSTORE_PASSWORD");
        return new JetStreamSettings(List.copyOf(servers), replicas, file(env, "NATS_CREDS"), optional(env, "NATS_TOKEN"),
                user, password, file(env, "NATS_TLS_TRUSTSTORE"), trustPassword, file(env, "NATS_TLS_KEYSTORE"),
                keyPassword);
    }

    private static Optional<String> optional(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isEmpty());
    }

    private static Optional<Path> file(Map<String, String> env, String name) throws StoreSettingException {
        Optional<String> value = optional(env, name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(value.get());
        if (!Files.isReadable(p)) {
            throw new StoreSettingException(name + " names " + p + ", which does not exist or cannot be read");
        }
        return Optional.of(p);
    }
}
