package dev.broker.transport.websocket.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;

/**
 * TextMessage gathers the bytes of one text message from its frames, up to the size limit, and
 * checks that they are UTF-8, as the WebSocket protocol requires. The broker parses frames as
 * UTF-8 bytes: Jetty's string sink decoded every message into a {@code String} char by char, only
 * for the decoder to encode it again (docs/BENCHMARKS.md). Confined to the connection's reading
 * thread.
 */
final class TextMessage {
    private static final byte[] NONE = new byte[0];
    private final int maxSize;
    /** The frames of a fragmented message so far; a message in one frame is never copied here. */
    private byte[] gathered = NONE;
    private int size;

    TextMessage(int maxSize) {
        this.maxSize = maxSize;
    }

    /**
     * add takes one frame's payload (which it copies: the buffer goes back to Jetty) and returns
     * the whole message when the frame ends it, or null when more frames are to come.
     *
     * @throws MessageTooLargeException past the size limit (Jetty closes with 1009)
     * @throws BadPayloadException      if the message is not UTF-8 (Jetty closes with 1007)
     */
    byte[] add(ByteBuffer payload, boolean fin) {
        int n = payload == null ? 0 : payload.remaining();
        if ((long) size + n > maxSize) {
            reset();
            throw new MessageTooLargeException("a text message of more than " + maxSize + " bytes");
        }
        byte[] whole;
        if (fin && size == 0) {
            whole = new byte[n];
            if (n > 0) {
                payload.get(whole);
            }
        } else {
            if (size + n > gathered.length) {
                gathered = Arrays.copyOf(gathered, Math.min(maxSize, Math.max(size + n, 2 * gathered.length)));
            }
            if (n > 0) {
                payload.get(gathered, size, n);
            }
            size += n;
            if (!fin) {
                return null;
            }
            whole = Arrays.copyOf(gathered, size);
            reset();
        }
        if (!isUtf8(whole)) {
            throw new BadPayloadException("a text message that is not UTF-8");
        }
        return whole;
    }

    private void reset() {
        gathered = NONE; // a large message's buffer is not kept for the connection's life
        size = 0;
    }

    /** isUtf8 checks the bytes strictly: ASCII at once, anything else with the JDK's decoder. */
    static boolean isUtf8(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }
}
