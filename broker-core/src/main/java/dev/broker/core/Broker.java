package dev.broker.core;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import dev.broker.api.HealthReport;
import dev.broker.api.MessageBroker;
import dev.broker.api.TopicAdmin;
import dev.broker.core.internal.BrokerModule;
import dev.broker.core.internal.Plugins;
import dev.broker.core.internal.Runtime;
import dev.broker.spi.BrokerConfig;
import java.net.URI;
import java.util.List;

/**
 * Broker is one running broker: its plugins found, wired and started. Use {@link #start} and
 * {@link #close}; {@link Main} does this for the command line. Thread-safe.
 */
public final class Broker implements AutoCloseable {
    private final Runtime runtime;

    private Broker(Runtime runtime) {
        this.runtime = runtime;
    }

    /**
     * start finds the plugins in the boot layer, wires them and starts the transports.
     *
     * @throws StartupException with one line for the operator if it cannot start
     */
    public static Broker start(BrokerConfig config) {
        return start(config, ModuleLayer.boot());
    }

    /**
     * start finds the plugins in the given layer and its parents, wires them and starts the
     * transports.
     *
     * @throws StartupException with one line for the operator if it cannot start
     */
    public static Broker start(BrokerConfig config, ModuleLayer layer) {
        return start(Plugins.select(layer, config), config);
    }

    /**
     * startEmbedded starts a broker inside another program: like {@link #start}, but it may run
     * without any transport, reached only through {@link #broker()} and {@link #admin()}.
     *
     * @throws StartupException with one line for the operator if it cannot start
     */
    public static Broker startEmbedded(BrokerConfig config) {
        return start(Plugins.select(ModuleLayer.boot(), config, false), config);
    }

    private static Broker start(Plugins plugins, BrokerConfig config) {
        Runtime runtime;
        try {
            Injector injector = Guice.createInjector(Stage.PRODUCTION, new BrokerModule(config, plugins));
            runtime = injector.getInstance(Runtime.class);
        } catch (CreationException | ProvisionException e) {
            throw unwrap(e);
        }
        try {
            runtime.start();
        } catch (Exception e) {
            throw new StartupException("a transport could not start: " + e.getMessage(), e);
        }
        return new Broker(runtime);
    }

    /** broker is the facade to publish, consume and inspect. */
    public MessageBroker broker() {
        return runtime.router();
    }

    /** admin is the facade for groups, topics, statistics, browsing, redrive and deletion. */
    public TopicAdmin admin() {
        return runtime.router();
    }

    /** health reports whether the broker takes publishes. */
    public HealthReport health() {
        return runtime.router().health();
    }

    /** endpoints lists the addresses clients use, such as {@code http://0.0.0.0:8080/}. */
    public List<URI> endpoints() {
        return runtime.endpoints();
    }

    /** close stops the transports, then the plugins, then the store. Repeat calls do nothing. */
    @Override
    public void close() {
        runtime.close();
    }

    private static RuntimeException unwrap(RuntimeException e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof StartupException s) {
                return s;
            }
            t = t.getCause();
        }
        if (e instanceof CreationException c && !c.getErrorMessages().isEmpty()) {
            c.getErrorMessages().forEach(m -> {
                if (m.getCause() instanceof StartupException s) {
                    throw s;
                }
            });
        }
        if (e instanceof ProvisionException p && !p.getErrorMessages().isEmpty()) {
            p.getErrorMessages().forEach(m -> {
                if (m.getCause() instanceof StartupException s) {
                    throw s;
                }
            });
        }
        return new StartupException("the broker could not be wired: " + e.getMessage(), e);
    }
}
