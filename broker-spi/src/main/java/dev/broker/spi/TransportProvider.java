package dev.broker.spi;

/**
 * TransportProvider is the cheap, stateless entry of a transport plugin, found with
 * {@link java.util.ServiceLoader}. The broker calls {@link #name} to select it ({@code TRANSPORTS})
 * and {@link #create} once per broker.
 */
public interface TransportProvider {
    /** name is the transport's unique name, such as {@code http}; lowercase, stable. */
    String name();

    /**
     * create makes the transport without starting it. All transports of a broker are created before
     * any is started, so a transport may register itself with shared objects here.
     *
     * @throws IllegalArgumentException if the configuration does not suit it (the message names the setting)
     */
    Transport create(BrokerContext context);
}
