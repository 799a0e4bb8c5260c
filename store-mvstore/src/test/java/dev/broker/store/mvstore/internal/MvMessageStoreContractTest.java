package dev.broker.store.mvstore.internal;

import dev.broker.spi.BrokerConfig.FsyncPolicy;
import dev.broker.spi.BrokerObserver;
import dev.broker.spi.MessageStore;
import dev.broker.storetest.MessageStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** MvMessageStoreContractTest runs the store contract suite against the MVStore store, on a real file. */
class MvMessageStoreContractTest extends MessageStoreContract {
    @TempDir
    Path dir;

    private MvStoreConfig config() {
        return new MvStoreConfig(dir, FsyncPolicy.NEVER, 4);
    }

    @Override
    protected MessageStore open() throws Exception {
        return MvMessageStore.open(config(), new BrokerObserver() { });
    }

    @Override
    protected MessageStore reopen(MessageStore closed) throws Exception {
        return MvMessageStore.open(config(), new BrokerObserver() { });
    }
}
