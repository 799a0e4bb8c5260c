package dev.broker.transport.websocket.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.broker.api.Delivery;
import dev.broker.api.Message;
import dev.broker.web.json.WireJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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

    /**
     * encode writes a {@code message} frame (docs/websocket.md) without a JSON generator: one is
     * made for every message a subscriber gets, and making a generator cost more than the rest
     * (docs/BENCHMARKS.md). The data is the published JSON as it came; every other string is escaped.
     */
    static byte[] encode(Delivery delivery, String subscription) {
        Message m = delivery.message();
        StringBuilder b = new StringBuilder(160 + m.data().length()).append("{\"type\":\"message\",\"subscription\":");
        quoted(b, subscription).append(",\"id\":\"").append(m.id()).append("\",\"topic\":\"").append(m.topic().value())
                .append("\",\"data\":").append(m.data()).append(",\"headers\":{");
        boolean first = true;
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            quoted(b, h.getKey()).append(':');
            quoted(b, h.getValue());
        }
        b.append("},\"timestamp\":\"").append(WireJson.timestamp(m.timestamp())).append("\",\"retryCount\":")
                .append(delivery.retryCount()).append(",\"offset\":").append(m.offset());
        if (delivery.group().isPresent()) {
            quoted(b.append(",\"group\":"), delivery.group().get().value());
        }
        if (delivery.receipt().isPresent()) {
            quoted(b.append(",\"receipt\":"), delivery.receipt().get());
        }
        return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StringBuilder quoted(StringBuilder b, String s) {
        return b.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
    }

    /** messageFrame is the {@code message} frame of a delivery under a subscription; the bytes are shared, never to be changed. */
    static byte[] messageFrame(Delivery delivery, String subscription) {
        Encoded last = LAST.get();
        if (last.delivery == delivery && last.subscription.equals(subscription)) {
            return last.frame;
        }
        byte[] frame = encode(delivery, subscription);
        last.delivery = delivery;
        last.subscription = subscription;
        last.frame = frame;
        return frame;
    }
}
