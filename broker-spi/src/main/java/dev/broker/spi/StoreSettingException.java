package dev.broker.spi;

/**
 * StoreSettingException is a bad setting of a store plugin's own (such as {@code NATS_URL}),
 * thrown by {@link MessageStoreProvider#open}. Like a bad setting of the broker's, it stops
 * start-up with its message, one line naming the variable and what it accepts, and status 2.
 */
public final class StoreSettingException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its one-line message. */
    public StoreSettingException(String message) {
        super(message, null, false, false);
    }
}
