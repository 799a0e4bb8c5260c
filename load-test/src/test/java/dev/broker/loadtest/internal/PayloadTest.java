package dev.broker.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PayloadTest checks the message data the tool sends and its reading back from what the broker delivers. */
class PayloadTest {

    @Test
    void dataHasTheAskedSizeButNeverLosesItsFields() {
        Payload p = new Payload("abc12345", 128);
        assertEquals(128, p.data(7, 123_456_789L).getBytes(StandardCharsets.UTF_8).length);
        assertEquals("{\"lt\":\"abc12345\",\"seq\":7,\"sent\":-5,\"pad\":\"\"}", new Payload("abc12345", 10).data(7, -5));
    }

    @Test
    void aConsumeAnswerYieldsEachMessageWithItsRetryCountAndReceipt() {
        Payload p = new Payload("run1", 80);
        String answer = "[" + message(p.data(4, 100), 0, 10, "0.aa") + "," + message("{\"other\":1}", 0, 11, "1.bb") + ","
                + message(p.data(5, 200), 2, 12, "2.cc") + "," + message(new Payload("run2", 80).data(6, 1), 0, 13, "3.dd") + "]";
        Payload.Scan scan = p.scan(answer);
        assertEquals(List.of(new Payload.Delivery(4, 100, 0, Optional.of("0.aa")), new Payload.Delivery(5, 200, 2, Optional.of("2.cc"))),
                scan.deliveries());
        assertEquals(2, scan.others());
    }

    @Test
    void aMessageFrameWithoutAReceiptYieldsNone() {
        Payload p = new Payload("run1", 64);
        String frame = "{\"type\":\"message\",\"subscription\":\"t\",\"id\":\"x\",\"topic\":\"t\",\"data\":" + p.data(9, 42)
                + ",\"headers\":{},\"timestamp\":\"2026-11-28T01:07:49.715Z\",\"retryCount\":0,\"offset\":3}";
        assertEquals(List.of(new Payload.Delivery(9, 42, 0, Optional.empty())), p.scan(frame).deliveries());
        assertEquals("message", Wire.type(frame));
    }

    static String message(String data, int retryCount, long offset, String receipt) {
        return "{\"id\":\"01a21fb1-b553-76ac-b25b-ac2106719b64\",\"topic\":\"t\",\"data\":" + data + ",\"headers\":{},"
                + "\"timestamp\":\"2026-11-28T01:07:49.715Z\",\"retryCount\":" + retryCount + ",\"offset\":" + offset
                + ",\"group\":\"g\",\"receipt\":\"" + receipt + "\"}";
    }
}
