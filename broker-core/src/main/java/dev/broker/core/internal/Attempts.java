package dev.broker.core.internal;

/**
 * Attempts is what a group remembers of a message it has handed out but not finished: how often,
 * when it first failed, and the last reason. Kept in memory only: after a restart a message starts
 * counting again. Guarded by its topic's monitor.
 */
final class Attempts {
    int deliveries;
    long firstFailureAt = -1;
    String lastReason = "ack-timeout";
    String lastError;

    void failed(long now, String reason, String error) {
        if (firstFailureAt < 0) {
            firstFailureAt = now;
        }
        lastReason = reason;
        if (error != null) {
            lastError = error;
        }
    }
}
