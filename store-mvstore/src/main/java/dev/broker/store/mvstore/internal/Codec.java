package dev.broker.store.mvstore.internal;

import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import dev.broker.spi.StoredGroup;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Codec turns messages and group progress into the bytes stored in the file, and back. The first
 * byte of every record is its format version, so a later version can read what an earlier one
 * wrote. Stateless.
 *
 * <p>A message: version, id (two longs), timestamp (epoch ms), header count and pairs (UTF-8 with
 * a length), then the data as UTF-8 to the end. Topic and offset are the map's name and key.
 */
final class Codec {
    private static final byte MESSAGE_V1 = 1;
    private static final byte GROUP_V1 = 1;
    /** GROUP_V2 adds whether the group holds back a full topic; V1 records read as holding back. */
    private static final byte GROUP_V2 = 2;

    private Codec() {
    }

    static byte[] encode(Message m) {
        byte[] data = m.data().getBytes(StandardCharsets.UTF_8);
        int size = 1 + 16 + 8 + 4 + data.length;
        byte[][] headers = new byte[m.headers().size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            headers[i] = h.getKey().getBytes(StandardCharsets.UTF_8);
            headers[i + 1] = h.getValue().getBytes(StandardCharsets.UTF_8);
            size += 8 + headers[i].length + headers[i + 1].length;
            i += 2;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MESSAGE_V1);
        b.putLong(m.id().getMostSignificantBits()).putLong(m.id().getLeastSignificantBits());
        b.putLong(m.timestamp().toEpochMilli());
        b.putInt(m.headers().size());
        for (byte[] h : headers) {
            b.putInt(h.length).put(h);
        }
        b.put(data);
        return b.array();
    }

    static Message decode(TopicName topic, long offset, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != MESSAGE_V1) {
            throw new IllegalStateException("message " + topic + "@" + offset + " has unknown format " + version);
        }
        UUID id = new UUID(b.getLong(), b.getLong());
        Instant timestamp = Instant.ofEpochMilli(b.getLong());
        int count = b.getInt();
        Map<String, String> headers = count == 0 ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            headers.put(string(b), string(b));
        }
        String data = new String(bytes, b.position(), b.remaining(), StandardCharsets.UTF_8);
        return new Message(id, topic, offset, timestamp, headers, data);
    }

    /** dataLength is the UTF-8 size of an encoded message's data, read from its header alone. */
    static int dataLength(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int at = 1 + 16 + 8;
        int count = b.getInt(at);
        at += 4;
        for (int i = 0; i < 2 * count; i++) {
            at += 4 + b.getInt(at);
        }
        return bytes.length - at;
    }

    private static String string(ByteBuffer b) {
        int length = b.getInt();
        String s = new String(b.array(), b.position(), length, StandardCharsets.UTF_8);
        b.position(b.position() + length);
        return s;
    }

    static byte[] encode(StoredGroup g) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(GROUP_V2);
            out.writeUTF(g.settings().startFrom().wire());
            out.writeLong(g.settings().ackTimeout().toMillis());
            out.writeInt(g.settings().maxDeliveries());
            out.writeLong(g.floor());
            long[] above = g.finishedAbove();
            out.writeInt(above.length);
            for (long o : above) {
                out.writeLong(o);
            }
            out.writeLong(g.deadLetterPosition());
            out.writeBoolean(g.holdsBack());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StoredGroup decode(TopicName topic, GroupName group, byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != GROUP_V1 && version != GROUP_V2) {
                throw new IllegalStateException("group " + topic + "/" + group + " has unknown format " + version);
            }
            GroupSettings settings = new GroupSettings(StartFrom.parse(in.readUTF()), Duration.ofMillis(in.readLong()),
                    in.readInt());
            long floor = in.readLong();
            long[] above = new long[in.readInt()];
            for (int i = 0; i < above.length; i++) {
                above[i] = in.readLong();
            }
            long deadLetterPosition = in.readLong();
            boolean holdsBack = version == GROUP_V1 || in.readBoolean();
            return new StoredGroup(topic, group, settings, floor, above, deadLetterPosition, holdsBack);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
