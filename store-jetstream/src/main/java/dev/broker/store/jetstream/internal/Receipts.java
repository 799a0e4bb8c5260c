package dev.broker.store.jetstream.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Receipts makes and reads the store's receipts: the JetStream acknowledgement subject of a
 * delivery (base64url) and a 128-bit HMAC-SHA256 tag of it, under a key every node reads from the
 * cluster, so that a receipt taken through one node is good on every other and a client cannot
 * make up the subject of a message handed to someone else (docs/jetstream.md). Thread-safe.
 */
final class Receipts {
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private final SecretKeySpec key;

    Receipts(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    String make(String ackSubject) {
        byte[] s = ackSubject.getBytes(StandardCharsets.UTF_8);
        return ENCODE.encodeToString(s) + "." + ENCODE.encodeToString(tag(s));
    }

    /** subject is the acknowledgement subject a receipt names, or empty if it is not one of ours. */
    Optional<String> subject(String receipt) {
        int dot = receipt.indexOf('.');
        if (dot < 0 || receipt.length() > 1024) {
            return Optional.empty();
        }
        try {
            byte[] s = DECODE.decode(receipt.substring(0, dot));
            byte[] t = DECODE.decode(receipt.substring(dot + 1));
            if (!MessageDigest.isEqual(t, tag(s))) {
                return Optional.empty();
            }
            return Optional.of(new String(s, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    private byte[] tag(byte[] subject) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Arrays.copyOf(mac.doFinal(subject), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
