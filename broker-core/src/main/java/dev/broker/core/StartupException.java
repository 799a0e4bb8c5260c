package dev.broker.core;

/**
 * StartupException stops the broker before it serves: a missing or duplicate plugin, a store that
 * will not open, a port in use. Its message is one line for the operator.
 */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its one-line message. */
    public StartupException(String message) {
        super(message);
    }

    /** Creates the exception with its one-line message and the cause, which goes to the log. */
    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
