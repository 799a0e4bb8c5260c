package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.core.Broker;
import dev.broker.core.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocketTest starts the broker on a free port and talks to /ws with the JDK's WebSocket client. */
class WebSocketTest {
    private static Broker broker;
    private static URI ws;

    @BeforeAll
    static void start() {
        broker = Broker.start(Settings.fromEnvironment(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false")));
        ws = URI.create("ws://127.0.0.1:" + broker.endpoints().get(0).getPort() + "/ws");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Client is a connection that queues every text frame it receives. */
    static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        final WebSocket socket;

        Client() {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(ws, this).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            w.request(1);
            return null;
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        String next() throws InterruptedException {
            String f = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "no frame arrived within 10 s");
            return f;
        }
    }

    @Test
    void seedExampleSubscribesPublishesAndReceives() throws Exception {
        Client c = new Client();
        c.send("{\"type\":\"subscribe\",\"topic\":\"user.events\"}");
        assertTrue(c.next().contains("\"type\":\"subscribed\""));
        c.send("{\"type\":\"publish\",\"topic\":\"user.events\",\"data\":{\"userId\":123,\"action\":\"login\"},\"messageId\":\"m1\"}");
        String a = c.next();
        String b = c.next();
        String published = a.contains("\"published\"") ? a : b;
        String message = a.contains("\"message\"") ? a : b;
        assertTrue(published.contains("\"messageId\":\"m1\""), published);
        assertTrue(message.contains("\"data\":{\"userId\":123,\"action\":\"login\"}"), message);
        assertTrue(message.contains("\"subscription\":\"user.events\""), message);
    }

    @Test
    void badFrameGetsErrorAndConnectionLivesOn() throws Exception {
        Client c = new Client();
        c.send("not json");
        assertTrue(c.next().contains("\"code\":\"invalid-json\""));
        c.send("{\"type\":\"publish\",\"topic\":\"a.*\",\"data\":1,\"messageId\":\"x\"}");
        String e = c.next();
        assertTrue(e.contains("\"code\":\"invalid-topic\"") && e.contains("\"messageId\":\"x\""), e);
        c.send("{\"type\":\"publish\",\"topic\":\"ok\",\"data\":1,\"messageId\":\"y\"}");
        assertTrue(c.next().contains("\"type\":\"published\""));
    }

    @Test
    void wildcardSubscriptionReceivesMatchingTopicsOnly() throws Exception {
        Client c = new Client();
        c.send("{\"type\":\"subscribe\",\"topic\":\"orders.>\"}");
        assertTrue(c.next().contains("subscribed"));
        broker.broker().publish(dev.broker.api.TopicName.of("orders"), java.util.List.of(dev.broker.api.NewMessage.of("0"))).toCompletableFuture().join();
        broker.broker().publish(dev.broker.api.TopicName.of("orders.eu.new"), java.util.List.of(dev.broker.api.NewMessage.of("1"))).toCompletableFuture().join();
        String m = c.next();
        assertTrue(m.contains("\"topic\":\"orders.eu.new\"") && m.contains("\"subscription\":\"orders.>\""), m);
        assertEquals(null, c.frames.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aRepeatSubscribeIsIdempotentAndOtherSettingsAreRefused() throws Exception {
        Client c = new Client();
        c.send("{\"type\":\"subscribe\",\"topic\":\"again.t\",\"group\":\"g\"}");
        assertTrue(c.next().contains("\"subscribed\""));
        c.send("{\"type\":\"subscribe\",\"topic\":\"again.t\",\"group\":\"g\"}");
        assertTrue(c.next().contains("\"subscribed\""));
        c.send("{\"type\":\"subscribe\",\"topic\":\"again.t\",\"group\":\"g\",\"ack\":\"manual\"}");
        String refused = c.next();
        assertTrue(refused.contains("\"code\":\"invalid-parameter\"") && refused.contains("unsubscribe first"), refused);
        broker.broker().publish(dev.broker.api.TopicName.of("again.t"), java.util.List.of(dev.broker.api.NewMessage.of("1")))
                .toCompletableFuture().join();
        String m = c.next();
        assertTrue(m.contains("\"type\":\"message\"") && !m.contains("receipt"), m);
        assertEquals(null, c.frames.poll(300, TimeUnit.MILLISECONDS), "one subscription, one delivery");
    }
}
