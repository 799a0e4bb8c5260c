package dev.broker.core.internal;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Receipts encodes and decodes receipts: the offset of a leased message, the id of its lease, and
 * a 128-bit tag, as {@code <offset base 36>.<lease id base 36>.<tag base64url>}. The tag is the
 * offset and lease id enciphered with AES under a key drawn from {@link SecureRandom} at start-up:
 * without the key, a receipt cannot be made up from another one (offsets and lease ids are
 * sequential, so they alone would let a client settle its neighbour's message), and receipts from
 * before a restart are stale after it. A receipt names one lease; once that lease ends (acked,
 * nacked, expired, released) the receipt is stale (docs/limits.md). Thread-safe: each thread has
 * its own cipher.
 */
final class Receipts {
    private static final int TAG_CHARS = 22;
    private static final int MAX_NUMBER_CHARS = 13;
    private static final SecretKeySpec KEY = newKey();
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(Receipts::cipher);
    private static final Base64.Encoder TAGS = Base64.getUrlEncoder().withoutPadding();

    private Receipts() {
    }

    static String encode(long offset, long leaseId) {
        return Long.toString(offset, 36) + "." + Long.toString(leaseId, 36) + "." + TAGS.encodeToString(tag(offset, leaseId));
    }

    /** offset is the receipt's offset, or -1 if it is not a receipt this broker made since it started. */
    static long offset(String receipt) {
        if (receipt == null) {
            return -1;
        }
        int first = receipt.indexOf('.');
        int second = first < 0 ? -1 : receipt.indexOf('.', first + 1);
        if (first <= 0 || first > MAX_NUMBER_CHARS || second <= first + 1 || second - first - 1 > MAX_NUMBER_CHARS
                || receipt.length() - second - 1 != TAG_CHARS) {
            return -1;
        }
        long offset;
        long leaseId;
        byte[] tag;
        try {
            offset = Long.parseLong(receipt, 0, first, 36);
            leaseId = Long.parseLong(receipt, first + 1, second, 36);
            tag = Base64.getUrlDecoder().decode(receipt.substring(second + 1));
        } catch (IllegalArgumentException e) {
            return -1;
        }
        return offset >= 0 && MessageDigest.isEqual(tag, tag(offset, leaseId)) ? offset : -1;
    }

    /** leaseId is the lease id of a receipt that {@link #offset} accepted. */
    static long leaseId(String receipt) {
        int first = receipt.indexOf('.');
        return Long.parseLong(receipt, first + 1, receipt.indexOf('.', first + 1), 36);
    }

    private static byte[] tag(long offset, long leaseId) {
        try {
            return CIPHER.get().doFinal(ByteBuffer.allocate(16).putLong(offset).putLong(leaseId).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is part of every JDK", e);
        }
    }

    private static SecretKeySpec newKey() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return new SecretKeySpec(key, "AES");
    }

    private static Cipher cipher() {
        try {
            // One block, enciphered as it is: a pseudo-random permutation of (offset, lease id).
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, KEY);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is part of every JDK", e);
        }
    }
}
