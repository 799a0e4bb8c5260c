package dev.broker.core.internal;

import dev.broker.core.StartupException;
import dev.broker.spi.AuthProvider;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.MessageStoreProvider;
import dev.broker.spi.MetricsProvider;
import dev.broker.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugins finds the plugin providers with {@link ServiceLoader} in a module layer and selects
 * those the configuration asks for. A duplicate name, or a requested plugin that is missing, is a
 * {@link StartupException} with one line saying which. Immutable once made.
 *
 * @param store      the selected store
 * @param transports the selected transports, by name
 * @param metrics    every metrics plugin found
 * @param auth       every authentication plugin found (the first is used when authentication is on)
 */
public record Plugins(MessageStoreProvider store, List<TransportProvider> transports, List<MetricsProvider> metrics,
                      List<AuthProvider> auth) {
    private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);
    private static final String DURABLE_DEFAULT = "mvstore";

    /** Plugins without an authentication plugin. */
    public Plugins(MessageStoreProvider store, List<TransportProvider> transports, List<MetricsProvider> metrics) {
        this(store, transports, metrics, List.of());
    }

    /** select discovers the providers in the layer (and its parents) and picks the configured ones. */
    public static Plugins select(ModuleLayer layer, BrokerConfig config) {
        return select(layer, config, true);
    }

    /**
     * select discovers the providers and picks the configured ones; {@code needTransport} false
     * lets a broker embedded in another program run without any transport.
     */
    public static Plugins select(ModuleLayer layer, BrokerConfig config, boolean needTransport) {
        Map<String, MessageStoreProvider> stores = discover(layer, MessageStoreProvider.class, "store", MessageStoreProvider::name);
        Map<String, TransportProvider> transports = discover(layer, TransportProvider.class, "transport", TransportProvider::name);
        Map<String, MetricsProvider> metrics = discover(layer, MetricsProvider.class, "metrics", MetricsProvider::name);
        Map<String, AuthProvider> auth = discover(layer, AuthProvider.class, "authentication", AuthProvider::name);
        // The store first: a missing store asked for by name is the error to report, even without transports.
        MessageStoreProvider store = selectStore(config, stores);
        List<TransportProvider> selected = transports.isEmpty() && !needTransport && config.transports().isEmpty()
                ? List.of() : selectTransports(config, transports);
        if (config.auth().enabled() && auth.isEmpty()) {
            throw new StartupException("authentication is configured (AUTH_TOKENS_FILE, AUTH_JWT_SECRET or"
                    + " AUTH_JWT_PUBLIC_KEY) but no authentication plugin (auth-token) is installed");
        }
        return new Plugins(store, selected, List.copyOf(metrics.values()), List.copyOf(auth.values()));
    }

    private static MessageStoreProvider selectStore(BrokerConfig config, Map<String, MessageStoreProvider> stores) {
        if (config.store().isPresent()) {
            String name = config.store().get();
            MessageStoreProvider p = stores.get(name);
            if (p == null) {
                throw new StartupException("STORE=" + name + " asks for the store plugin '" + name
                        + "', which is not installed (installed: " + String.join(", ", stores.keySet()) + ")");
            }
            if (p.durable() && !config.persistenceEnabled()) {
                throw new StartupException("STORE=" + name + " is a durable store but PERSISTENCE_ENABLED=false;"
                        + " use STORE=" + MemoryStoreProvider.NAME + " or enable persistence");
            }
            warnIfVolatile(config, p);
            return p;
        }
        if (!config.persistenceEnabled()) {
            return stores.get(MemoryStoreProvider.NAME);
        }
        MessageStoreProvider durable = stores.get(DURABLE_DEFAULT);
        if (durable == null) {
            durable = stores.values().stream().filter(MessageStoreProvider::durable).findFirst().orElse(null);
        }
        if (durable != null) {
            return durable;
        }
        MessageStoreProvider memory = stores.get(MemoryStoreProvider.NAME);
        warnIfVolatile(config, memory);
        return memory;
    }

    private static void warnIfVolatile(BrokerConfig config, MessageStoreProvider p) {
        if (config.persistenceEnabled() && !p.durable()) {
            LOG.warn("no durable store plugin is installed (store-mvstore); running on the '{}' store:"
                    + " nothing will survive a restart", p.name());
        }
    }

    private static List<TransportProvider> selectTransports(BrokerConfig config, Map<String, TransportProvider> found) {
        if (found.isEmpty()) {
            throw new StartupException("no transport plugin is installed: the broker would have no way to be reached");
        }
        if (config.transports().isEmpty()) {
            return List.copyOf(found.values());
        }
        List<TransportProvider> selected = new ArrayList<>();
        for (String name : config.transports()) {
            TransportProvider p = found.get(name);
            if (p == null) {
                throw new StartupException("TRANSPORTS names '" + name + "', which is not installed (installed: "
                        + String.join(", ", found.keySet()) + ")");
            }
            selected.add(p);
        }
        return List.copyOf(selected);
    }

    private static <P> Map<String, P> discover(ModuleLayer layer, Class<P> type, String kind, Function<P, String> name) {
        Map<String, P> byName = new TreeMap<>();
        // From the boot layer, look through the class loader so that providers on the class path
        // (as in a test run that puts some modules there) are found beside named modules.
        ServiceLoader<P> loader = layer == ModuleLayer.boot()
                ? ServiceLoader.load(type, Plugins.class.getClassLoader())
                : ServiceLoader.load(layer, type);
        for (ServiceLoader.Provider<P> provider : loader.stream().toList()) {
            P p;
            try {
                p = provider.get();
            } catch (java.util.ServiceConfigurationError e) {
                throw new StartupException("the " + kind + " plugin " + provider.type().getName()
                        + " could not be loaded: " + e.getMessage(), e);
            }
            P previous = byName.putIfAbsent(name.apply(p), p);
            if (previous != null) {
                throw new StartupException("two " + kind + " plugins are named '" + name.apply(p) + "': "
                        + describe(previous) + " and " + describe(p) + "; remove one of them");
            }
        }
        return byName;
    }

    private static String describe(Object provider) {
        Module m = provider.getClass().getModule();
        return provider.getClass().getName() + " (" + (m.isNamed() ? "module " + m.getName() : "class path") + ")";
    }
}
