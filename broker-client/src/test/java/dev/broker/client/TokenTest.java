package dev.broker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TokenTest runs the client against a broker with token authentication on: HTTP and WebSocket. */
class TokenTest {
    @TempDir
    Path dir;

    private static String sha256(String token) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theTokenIsSentOnEveryRequestAndOnTheWebSocket() throws Exception {
        Path tokens = dir.resolve("tokens.json");
        Files.writeString(tokens, "[{\"name\":\"app\",\"sha256\":\"" + sha256("s3cret-token") + "\","
                + "\"publish\":[\"orders.>\"],\"consume\":[\"orders.>\"]}]");
        try (TestBroker broker = TestBroker.start(Map.of("AUTH_TOKENS_FILE", tokens.toString()));
             BrokerClient anonymous = BrokerClient.connect(broker.url());
             BrokerClient app = BrokerClient.builder(broker.url()).token("s3cret-token").build();
             BrokerClient wrong = BrokerClient.builder(broker.url()).token("not-it").build()) {
            BrokerRefusedException none = assertThrows(BrokerRefusedException.class, () -> anonymous.publish("orders.new", "1"));
            assertEquals(ErrorCode.UNAUTHORIZED, none.code());
            assertEquals(401, none.status());
            assertEquals(ErrorCode.UNAUTHORIZED, assertThrows(BrokerRefusedException.class,
                    () -> wrong.publish("orders.new", "1")).code());
            BrokerRefusedException noRight = assertThrows(BrokerRefusedException.class, () -> app.publish("payments.new", "1"));
            assertEquals(ErrorCode.FORBIDDEN, noRight.code());
            assertEquals(403, noRight.status());

            BlockingQueue<Message> got = new LinkedBlockingQueue<>();
            try (Subscription s = app.subscription("orders.new").start(d -> got.add(d.message()))) {
                app.publish("orders.new", "{\"id\":7}");
                assertEquals("{\"id\":7}", SubscriptionTest.next(got).data());
            }
            BrokerRefusedException wsNone = assertThrows(BrokerRefusedException.class,
                    () -> anonymous.subscription("orders.new").start(d -> { }));
            assertEquals(ErrorCode.UNAUTHORIZED, wsNone.code());
            BrokerRefusedException wsNoRight = assertThrows(BrokerRefusedException.class,
                    () -> app.subscription("payments.new").start(d -> { }));
            assertEquals(ErrorCode.FORBIDDEN, wsNoRight.code());
        }
    }
}
