package dev.broker.loadtest.internal;

/** SetupException says the run could not start: the broker did not answer, or refused the group or a subscription. */
final class SetupException extends Exception {
    private static final long serialVersionUID = 1L;

    SetupException(String message) {
        super(message);
    }
}
