/**
 * The durable store, on H2 MVStore: one file in {@code DATA_DIR}, written by one thread that
 * commits whatever has queued up at once (group commit). Found by {@link java.util.ServiceLoader}
 * as the store named {@code mvstore}; it exports nothing.
 */
module dev.broker.store.mvstore {
    requires dev.broker.spi;
    requires com.h2database.mvstore;
    requires org.slf4j;

    provides dev.broker.spi.MessageStoreProvider with dev.broker.store.mvstore.internal.MvStoreProvider;
}
