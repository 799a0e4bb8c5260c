package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WebSocketFuzzTest sends seeded malformed frames over raw sockets (damaged JSON, wrong types,
 * huge fields, binary frames, fragments, text that is not UTF-8, frames over the limit) while a
 * well-behaved publisher and subscriber work beside them: the broker answers with error frames or
 * closes with the protocol's codes for what it cannot read (1002, 1007, 1009), never with an
 * internal error, and the good clients lose nothing and are never cut off.
 */
class WebSocketFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261203L);
    private static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 40);
    private static final int FRAMES = 250;
    private static final int LIMIT = 4096;
    /** 1002 protocol error, 1007 not UTF-8, 1009 too large. */
    private static final Set<Integer> ALLOWED_CLOSES = Set.of(1002, 1007, 1009);
    private static final List<String> TEMPLATES = List.of(
            "{\"type\":\"publish\",\"topic\":\"fz.a\",\"data\":{\"x\":[1,2]},\"messageId\":\"m\"}",
            "{\"type\":\"publish\",\"topic\":\"fz.b\",\"data\":\"s\",\"headers\":{\"h\":\"v\"}}",
            "{\"type\":\"subscribe\",\"topic\":\"fz.*\"}", "{\"type\":\"subscribe\",\"topic\":\"fz.a\",\"group\":\"g\",\"ack\":\"manual\"}",
            "{\"type\":\"unsubscribe\",\"topic\":\"fz.*\"}", "{\"type\":\"ack\",\"topic\":\"fz.a\",\"group\":\"g\",\"receipt\":\"0.1.x\"}",
            "{\"type\":\"nack\",\"topic\":\"fz.a\",\"group\":\"g\",\"receipt\":\"0.1.x\",\"delay\":\"1s\"}",
            "{\"type\":\"publish\",\"topic\":[1],\"data\":{}}", "{\"type\":7}", "[]", "null", "{\"type\":\"subscribe\",\"topic\":\"fz.a\",\"maxInFlight\":\"-5\"}");

    private static String damage(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        for (int e = 0; e < 1 + r.nextInt(3); e++) {
            int at = b.length() == 0 ? 0 : r.nextInt(b.length());
            switch (r.nextInt(6)) {
                case 0 -> b.insert(at, (char) r.nextInt(0x80));
                case 1 -> { if (b.length() > 0) { b.deleteCharAt(at); } }
                case 2 -> b.setLength(at);
                case 3 -> b.insert(at, "{[\":,]}".charAt(r.nextInt(7)));
                case 4 -> b.insert(at, "\u00e9\ud83c\udf89");
                default -> b.insert(at, "z".repeat(r.nextInt(3000))); // huge fields
            }
        }
        return b.toString();
    }

    private static byte[] frames(Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < FRAMES; i++) {
            String text = r.nextInt(4) == 0 ? TEMPLATES.get(r.nextInt(TEMPLATES.size())) : damage(r, TEMPLATES.get(r.nextInt(TEMPLATES.size())));
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            switch (r.nextInt(10)) {
                case 0 -> out.writeBytes(RawWebSocket.frame(0x82, bytes)); // binary
                case 1 -> { // fragmented in two, the cut anywhere (inside a character too)
                    int cut = bytes.length == 0 ? 0 : r.nextInt(bytes.length);
                    out.writeBytes(RawWebSocket.frame(0x01, java.util.Arrays.copyOfRange(bytes, 0, cut)));
                    out.writeBytes(RawWebSocket.frame(0x80, java.util.Arrays.copyOfRange(bytes, cut, bytes.length)));
                }
                default -> out.writeBytes(RawWebSocket.frame(0x81, bytes));
            }
        }
        // A third of the connections end with what the protocol closes them for.
        switch (r.nextInt(9)) {
            case 0 -> out.writeBytes(RawWebSocket.frame(0x80, "{}".getBytes(StandardCharsets.UTF_8))); // a continuation with no start
            case 1 -> out.writeBytes(RawWebSocket.frame(0x81, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})); // not UTF-8
            case 2 -> out.writeBytes(RawWebSocket.textFrame("{\"data\":\"" + "w".repeat(LIMIT + 70_000) + "\"}")); // over the limit
            default -> { }
        }
        return out.toByteArray();
    }

    @Test
    void malformedFramesGetErrorsOrProtocolClosesAndGoodClientsLoseNothing() throws Exception {
        try (TestBroker broker = TestBroker.start(Map.of("MAX_MESSAGE_SIZE", Integer.toString(LIMIT)));
             WsClient subscriber = broker.connect();
             WsClient publisher = broker.connect()) {
            subscriber.send("type", "subscribe", "topic", "good");
            subscriber.next("subscribed");
            Random r = new Random(SEED);
            int published = 0;
            int closedByProtocol = 0;
            int errors = 0;
            for (int c = 0; c < CONNECTIONS; c++) {
                byte[] junk = frames(r);
                try (RawWebSocket bad = new RawWebSocket(broker.ws, true, false)) {
                    try {
                        bad.write(junk);
                    } catch (java.io.IOException closedWhileWriting) {
                        // the broker closed it (a frame over the limit, or not UTF-8) while the rest was on its way
                    }
                    publisher.send("type", "publish", "topic", "good", "data", Json.raw("{\"i\":" + published + "}"));
                    assertEquals((long) published, publisher.next("published").get("offset"));
                    published++;
                    WsClient.Closed closed = bad.closed.isDone() ? bad.closed.get() : null;
                    if (closed == null) {
                        // still open: it answers a good frame after all the junk
                        try {
                            bad.write(RawWebSocket.textFrame("{\"type\":\"publish\",\"topic\":\"fz.ok\",\"data\":1,\"messageId\":\"last\"}"));
                        } catch (java.io.IOException closing) {
                            closed = bad.closed.get(10, TimeUnit.SECONDS);
                        }
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (bad.texts.stream().noneMatch(t -> t.contains("\"last\"")) && !bad.closed.isDone()
                                && System.nanoTime() < deadline) {
                            Thread.sleep(5);
                        }
                        closed = closed != null ? closed : bad.closed.isDone() ? bad.closed.get() : null;
                        if (closed == null) {
                            assertTrue(bad.texts.stream().anyMatch(t -> t.contains("\"last\"")), "connection " + c + " (seed " + SEED
                                    + ") neither answered nor closed");
                        }
                    }
                    if (closed != null) {
                        // -1: the socket was reset under the client's writes after the broker closed
                        // it, so its close frame was lost; what came before it is still checked.
                        if (!ALLOWED_CLOSES.contains(closed.code()) && closed.code() != -1) {
                            fail("connection " + c + " (seed " + SEED + ") closed with " + closed);
                        }
                        closedByProtocol++;
                    }
                    for (String t : bad.texts) {
                        if (t.contains("internal-error")) {
                            fail("connection " + c + " (seed " + SEED + ") got " + t);
                        }
                        if (t.contains("\"error\"")) {
                            errors++;
                        }
                    }
                }
            }
            List<Object> got = new ArrayList<>();
            for (Map<String, Object> m : subscriber.messages(published)) {
                got.add(((Map<?, ?>) m.get("data")).get("i"));
            }
            List<Object> expected = new ArrayList<>();
            for (long i = 0; i < published; i++) {
                expected.add(i);
            }
            assertEquals(expected, got, "the subscriber got every good message once, in order");
            assertFalse(subscriber.closed.isDone() || publisher.closed.isDone(), "a good client was cut off");
            System.out.println("[ws-fuzz] " + CONNECTIONS * FRAMES + " malformed frames on " + CONNECTIONS + " connections (seed " + SEED
                    + "): " + errors + " error frames, " + closedByProtocol + " protocol closes, no internal error");
        }
    }
}
