package dev.broker.core;

/**
 * ConfigException is a bad setting: its message is one line naming the variable, the value and
 * what it accepts, fit to print as it is before the broker exits.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its one-line message. */
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
