package dev.broker.store.mvstore.internal;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.BrokerConfig.FsyncPolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * MvStoreConfig is what the store reads of the broker's configuration. Immutable.
 *
 * @param dataDir     the folder of the store file
 * @param fsync       when commits are forced to the disk
 * @param cacheMb     MVStore's page cache, in MB: what the store may hold in the heap
 */
record MvStoreConfig(Path dataDir, FsyncPolicy fsync, int cacheMb) {
    /** FILE_NAME is the store file inside DATA_DIR. */
    static final String FILE_NAME = "broker.mv.db";

    MvStoreConfig {
        Objects.requireNonNull(dataDir, "DATA_DIR");
        Objects.requireNonNull(fsync, "FSYNC");
        if (cacheMb < 1) {
            throw new IllegalArgumentException("the store cache must be at least 1 MB");
        }
    }

    static MvStoreConfig of(BrokerConfig config) {
        return new MvStoreConfig(config.dataDir(), config.fsync(), config.storeCacheMb());
    }

    Path file() {
        return dataDir.resolve(FILE_NAME);
    }
}
