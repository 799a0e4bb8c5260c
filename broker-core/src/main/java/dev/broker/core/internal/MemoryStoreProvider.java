package dev.broker.core.internal;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerObserver;
import dev.broker.spi.MessageStore;
import dev.broker.spi.MessageStoreProvider;

/**
 * MemoryStoreProvider offers the {@code memory} store: messages live in the heap and nothing
 * survives a restart. Stateless.
 */
public final class MemoryStoreProvider implements MessageStoreProvider {
    /** NAME is the store's name for {@code STORE}. */
    public static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public MessageStore open(BrokerConfig config, BrokerObserver observer) {
        return new MemoryStore();
    }
}
