package dev.broker.store.jetstream.internal;

import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Codec writes a message as the payload of a JetStream message: a version byte, the id, the
 * timestamp in milliseconds, the headers (count, then length-prefixed UTF-8 names and values) and
 * the data as UTF-8. The offset is not written: it is the stream sequence minus one
 * (docs/jetstream.md). Stateless.
 */
final class Codec {
    private static final int VERSION = 1;

    private Codec() {
    }

    static byte[] encode(UUID id, Instant timestamp, NewMessage m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(m.data().length() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
            out.writeLong(timestamp.toEpochMilli());
            out.writeInt(m.headers().size());
            for (Map.Entry<String, String> h : m.headers().entrySet()) {
                string(out, h.getKey());
                string(out, h.getValue());
            }
            out.write(m.data().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Message decode(TopicName topic, long offset, byte[] payload) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalStateException("a message of " + topic + " has format " + version
                        + ", which this broker does not know");
            }
            UUID id = new UUID(in.readLong(), in.readLong());
            Instant timestamp = Instant.ofEpochMilli(in.readLong());
            int count = in.readInt();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                headers.put(string(in), string(in));
            }
            String data = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Message(id, topic, offset, timestamp, headers, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
