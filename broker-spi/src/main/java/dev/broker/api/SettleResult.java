package dev.broker.api;

import java.util.List;

/**
 * SettleResult is the outcome of an ack, nack or extend. Immutable.
 *
 * @param settled how many receipts were acted on
 * @param stale   the receipts that were not: their lease had expired, been settled, or never existed
 */
public record SettleResult(int settled, List<String> stale) {
    /** Creates a result; the list is copied. */
    public SettleResult {
        stale = List.copyOf(stale);
    }
}
