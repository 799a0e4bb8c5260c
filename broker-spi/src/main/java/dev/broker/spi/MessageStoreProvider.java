package dev.broker.spi;

/**
 * MessageStoreProvider is the cheap, stateless entry of a store plugin, found with
 * {@link java.util.ServiceLoader}. The broker selects one by {@link #name} ({@code STORE}).
 */
public interface MessageStoreProvider {
    /** name is the store's unique name, such as {@code memory} or {@code mvstore}; lowercase, stable. */
    String name();

    /** durable tells whether what the store holds survives a restart. */
    boolean durable();

    /**
     * open opens the store, recovering what it held. Called once per broker. The store reports its
     * commits to the observer.
     *
     * @throws Exception with a message for the operator (such as a locked data directory); start-up stops
     */
    MessageStore open(BrokerConfig config, BrokerObserver observer) throws Exception;
}
