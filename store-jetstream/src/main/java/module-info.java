/**
 * The shared store, on NATS JetStream: every topic a replicated stream, every group a durable pull
 * consumer, so that many broker nodes serve the same topics (docs/jetstream.md). Found by
 * {@link java.util.ServiceLoader} as the store named {@code jetstream}; it exports nothing.
 */
module dev.broker.store.jetstream {
    requires dev.broker.spi;
    requires io.nats.jnats;
    requires org.slf4j;

    provides dev.broker.spi.MessageStoreProvider with dev.broker.store.jetstream.internal.JetStreamProvider;
}
