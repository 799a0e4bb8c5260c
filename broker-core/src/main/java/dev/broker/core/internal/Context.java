package dev.broker.core.internal;

import dev.broker.api.MessageBroker;
import dev.broker.api.TopicAdmin;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerContext;
import dev.broker.spi.Authenticator;
import dev.broker.spi.BrokerObserver;
import java.util.Optional;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.function.Supplier;

/** Context is the {@link BrokerContext} every plugin of one broker gets. Thread-safe. */
@Singleton
final class Context implements BrokerContext {
    private final BrokerConfig config;
    private final MessageBroker broker;
    private final TopicAdmin admin;
    private final SharedObjects shared;
    private final Observers observers;
    private final Optional<Authenticator> authenticator;

    @Inject
    Context(BrokerConfig config, MessageBroker broker, TopicAdmin admin, SharedObjects shared, Observers observers,
            Optional<Authenticator> authenticator) {
        this.authenticator = authenticator;
        this.config = config;
        this.broker = broker;
        this.admin = admin;
        this.shared = shared;
        this.observers = observers;
    }

    @Override
    public BrokerObserver observer() {
        return observers;
    }

    @Override
    public void addObserver(BrokerObserver observer) {
        observers.add(observer);
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return authenticator;
    }

    @Override
    public BrokerConfig config() {
        return config;
    }

    @Override
    public MessageBroker broker() {
        return broker;
    }

    @Override
    public TopicAdmin admin() {
        return admin;
    }

    @Override
    public <T extends AutoCloseable> T shared(Class<T> type, Supplier<? extends T> factory) {
        return shared.get(type, factory);
    }
}
