package dev.broker.transport.websocket.internal;

import dev.broker.api.Delivery;
import dev.broker.web.json.WireJson;

/**
 * Encoded makes a message frame's bytes once for every subscriber that gets the same delivery
 * under the same subscription pattern: the broker hands one broadcast delivery to all of a
 * topic's subscribers in a row on one delivery thread, so the last frame made on the thread is
 * the one the next subscriber needs. Each thread keeps one frame; thread-confined.
 */
final class Encoded {
    private static final ThreadLocal<Encoded> LAST = ThreadLocal.withInitial(Encoded::new);

    private Delivery delivery;
    private String subscription;
    private byte[] frame;

    private Encoded() {
    }

    /** messageFrame is the {@code message} frame of a delivery under a subscription; the bytes are shared, never to be changed. */
    static byte[] messageFrame(Delivery delivery, String subscription) {
        Encoded last = LAST.get();
        if (last.delivery == delivery && last.subscription.equals(subscription)) {
            return last.frame;
        }
        byte[] frame = WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", "message");
            g.writeStringField("subscription", subscription);
            WireJson.writeMessageFields(g, delivery);
            g.writeEndObject();
        });
        last.delivery = delivery;
        last.subscription = subscription;
        last.frame = frame;
        return frame;
    }
}
