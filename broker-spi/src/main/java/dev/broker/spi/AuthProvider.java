package dev.broker.spi;

/**
 * AuthProvider is the cheap, stateless entry of an authentication plugin, found with
 * {@link java.util.ServiceLoader}. The broker creates the first one found when the configuration
 * turns authentication on ({@link AuthSettings#enabled()}); with it off the broker is open.
 */
public interface AuthProvider {
    /** name is the plugin's unique name, such as {@code token}; lowercase, stable. */
    String name();

    /**
     * create makes the authenticator from the settings. Called once per broker.
     *
     * @throws Exception with a message for the operator (an unreadable tokens file, a bad key); start-up stops
     */
    Authenticator create(AuthSettings settings) throws Exception;
}
