package dev.broker.store.jetstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReceiptsTest {
    private static final String SUBJECT = "$JS.ACK.T-t.g.1.7.7.1700000000000000000.0";

    @Test
    void aReceiptNamesItsSubjectUnderTheKeyItWasMadeWith() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 3);
        Receipts one = new Receipts(key);
        Receipts other = new Receipts(key.clone());
        String r = one.make(SUBJECT);
        assertEquals(Optional.of(SUBJECT), other.subject(r), "another node with the same key reads it");
        key[0] = 4;
        assertEquals(Optional.empty(), new Receipts(key).subject(r), "under another key it is not ours");
    }

    @Test
    void aChangedOrMalformedReceiptIsNotOurs() {
        Receipts receipts = new Receipts(new byte[32]);
        String r = receipts.make(SUBJECT);
        String otherSequence = receipts.make(SUBJECT.replace(".7.7.", ".8.8."));
        String forged = otherSequence.substring(0, otherSequence.indexOf('.')) + r.substring(r.indexOf('.'));
        assertEquals(Optional.empty(), receipts.subject(forged));
        assertEquals(Optional.empty(), receipts.subject("no-dot"));
        assertEquals(Optional.empty(), receipts.subject("!!.??"));
        assertEquals(Optional.empty(), receipts.subject(""));
    }
}
