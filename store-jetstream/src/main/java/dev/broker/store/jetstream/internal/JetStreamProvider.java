package dev.broker.store.jetstream.internal;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerObserver;
import dev.broker.spi.MessageStore;
import dev.broker.spi.MessageStoreProvider;

/** JetStreamProvider offers the shared store named {@code jetstream} (docs/jetstream.md). Stateless. */
public final class JetStreamProvider implements MessageStoreProvider {
    @Override
    public String name() {
        return "jetstream";
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public MessageStore open(BrokerConfig config, BrokerObserver observer) throws Exception {
        return JetStreamStore.open(config, JetStreamSettings.of(System.getenv()));
    }
}
