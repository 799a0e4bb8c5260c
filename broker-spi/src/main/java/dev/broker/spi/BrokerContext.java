package dev.broker.spi;

import dev.broker.api.MessageBroker;
import dev.broker.api.TopicAdmin;
import java.util.function.Supplier;

/**
 * BrokerContext is everything a plugin gets from the broker: the configuration, the broker facade,
 * and a place to share one object between plugins. Thread-safe.
 */
public interface BrokerContext {
    /** config is the broker's validated configuration. */
    BrokerConfig config();

    /** broker is the facade to publish, consume, settle and subscribe; usable once the broker has started. */
    MessageBroker broker();

    /** admin is the facade for groups, topics, statistics, browsing, redrive, deletion and health. */
    TopicAdmin admin();

    /**
     * authenticator checks clients' tokens when authentication is on (docs/security.md); empty when
     * it is off and the broker is open to whoever reaches it.
     */
    java.util.Optional<Authenticator> authenticator();

    /** observer is where plugins report what they do (connections, slow consumers), for metrics. */
    BrokerObserver observer();

    /**
     * addObserver makes a metrics plugin hear everything reported to {@link #observer()} from now
     * on. Called while plugins are created.
     */
    void addObserver(BrokerObserver observer);

    /**
     * shared returns the one object of this type that plugins of this broker share, made by the
     * factory on the first call. Plugins use it to share what only one of may exist, such as the
     * server behind one port. The broker closes shared objects after every plugin has stopped, in
     * the reverse order of their making. Concurrent first calls make the object once.
     *
     * @param type    the key; plugins that share an object agree on its class
     * @param factory makes the object; called at most once per broker
     */
    <T extends AutoCloseable> T shared(Class<T> type, Supplier<? extends T> factory);
}
