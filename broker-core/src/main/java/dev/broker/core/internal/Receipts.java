package dev.broker.core.internal;

/**
 * Receipts encodes and decodes receipts: the offset of a leased message and the id of its lease,
 * as {@code <offset base 36>.<lease id base 36>}. A receipt names one lease; once that lease ends
 * (acked, nacked, expired, released) the receipt is stale. Lease ids start at a random value each
 * start-up, so receipts from before a restart are stale after it. Stateless.
 */
final class Receipts {
    private Receipts() {
    }

    static String encode(long offset, long leaseId) {
        return Long.toString(offset, 36) + "." + Long.toString(leaseId, 36);
    }

    /** offset is the receipt's offset, or -1 if it is not a receipt. */
    static long offset(String receipt) {
        int dot = receipt == null ? -1 : receipt.indexOf('.');
        if (dot <= 0 || dot > 13 || receipt.length() - dot > 14) {
            return -1;
        }
        try {
            return Long.parseLong(receipt, 0, dot, 36);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** leaseId is the receipt's lease id, or 0 if it is not a receipt. */
    static long leaseId(String receipt) {
        int dot = receipt.indexOf('.');
        try {
            return Long.parseLong(receipt, dot + 1, receipt.length(), 36);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
