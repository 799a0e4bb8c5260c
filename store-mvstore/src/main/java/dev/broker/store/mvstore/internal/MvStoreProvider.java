package dev.broker.store.mvstore.internal;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerObserver;
import dev.broker.spi.MessageStore;
import dev.broker.spi.MessageStoreProvider;

/** MvStoreProvider offers the durable store named {@code mvstore}. Stateless. */
public final class MvStoreProvider implements MessageStoreProvider {
    @Override
    public String name() {
        return "mvstore";
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public MessageStore open(BrokerConfig config, BrokerObserver observer) throws Exception {
        return MvMessageStore.open(MvStoreConfig.of(config), observer);
    }
}
