package dev.broker.core.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.name.Named;
import dev.broker.api.MessageBroker;
import dev.broker.api.TopicAdmin;
import dev.broker.core.StartupException;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerContext;
import dev.broker.spi.MessageStore;
import dev.broker.spi.AuthProvider;
import dev.broker.spi.Authenticator;
import dev.broker.spi.MetricsProvider;
import java.util.Optional;
import dev.broker.spi.Transport;
import dev.broker.spi.TransportProvider;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * BrokerModule is the one place where the broker's object graph is wired: the configuration, the
 * selected plugins, the store they open, the router, the context plugins get, and the plugins'
 * running objects. Everything it makes is a singleton of one broker.
 */
public final class BrokerModule extends AbstractModule {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BrokerModule.class);
    private final BrokerConfig config;
    private final Plugins plugins;

    /** Creates the wiring for a broker with this configuration and these selected plugins. */
    public BrokerModule(BrokerConfig config, Plugins plugins) {
        this.config = config;
        this.plugins = plugins;
    }

    @Override
    protected void configure() {
        bind(BrokerConfig.class).toInstance(config);
        bind(Plugins.class).toInstance(plugins);
        bind(Clock.class).toInstance(Clock.systemUTC());
        bind(MessageBroker.class).to(Router.class);
        bind(TopicAdmin.class).to(Router.class);
        bind(BrokerContext.class).to(Context.class);
        bind(SharedObjects.class).in(Singleton.class);
        bind(Observers.class).in(Singleton.class);
    }

    @Provides
    @Singleton
    MessageStore store(Observers observers) {
        try {
            return plugins.store().open(config, observers);
        } catch (Exception e) {
            throw new StartupException("the '" + plugins.store().name() + "' store could not open: " + e.getMessage(), e);
        }
    }

    /**
     * authenticator is the authentication plugin's, made when the configuration turns it on; the
     * broker says in one line at start-up which it is.
     */
    @Provides
    @Singleton
    Optional<Authenticator> authenticator(SharedObjects shared) {
        if (!config.auth().enabled()) {
            if (plugins.transports().isEmpty()) {
                return Optional.empty(); // embedded without a port: nobody to let in
            }
            LOG.warn("authentication is off: anyone who reaches the port may publish, consume and administer"
                    + " (set AUTH_TOKENS_FILE or AUTH_JWT_SECRET / AUTH_JWT_PUBLIC_KEY, docs/security.md)");
            return Optional.empty();
        }
        AuthProvider p = plugins.auth().get(0);
        Authenticator made;
        try {
            made = p.create(config.auth());
        } catch (Exception e) {
            throw new StartupException("authentication could not start: " + e.getMessage(), e);
        }
        shared.get(Authenticator.class, () -> made);
        LOG.info("authentication is on: {}{}", made.description(),
                config.auth().metricsPublic() ? "; /metrics is public" : "; /metrics needs an admin token");
        return Optional.of(made);
    }

    @Provides
    @Singleton
    @Named("metrics")
    List<AutoCloseable> metrics(BrokerContext context) {
        List<AutoCloseable> made = new ArrayList<>();
        for (MetricsProvider p : plugins.metrics()) {
            made.add(create("metrics", p.name(), () -> p.create(context)));
        }
        return List.copyOf(made);
    }

    @Provides
    @Singleton
    List<Transport> transports(BrokerContext context) {
        List<Transport> made = new ArrayList<>();
        for (TransportProvider p : plugins.transports()) {
            made.add(create("transport", p.name(), () -> p.create(context)));
        }
        return List.copyOf(made);
    }

    private static <T> T create(String kind, String name, java.util.function.Supplier<T> factory) {
        try {
            return factory.get();
        } catch (RuntimeException e) {
            throw new StartupException("the " + kind + " plugin '" + name + "' could not be created: " + e.getMessage(), e);
        }
    }
}
