package dev.broker.transport.websocket.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RawWebSocket is a minimal client over a plain socket (RFC 6455), for what the JDK client cannot
 * do: write thousands of frames in one go. A reader thread reads what the server sends, counts
 * its text frames and records its close frame.
 */
final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    final AtomicLong textFrames = new AtomicLong();
    /** texts holds every text frame's payload, when asked for. */
    final java.util.Queue<String> texts = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final boolean keepTexts;
    /** reading opens once the reader may start reading what the server sent. */
    private final java.util.concurrent.CountDownLatch reading;
    final CompletableFuture<WsClient.Closed> closed = new CompletableFuture<>();
    /** ended completes when the server has closed the TCP connection. */
    final CompletableFuture<Void> ended = new CompletableFuture<>();

    RawWebSocket(URI ws) throws IOException {
        this(ws, false, false);
    }

    /**
     * A client that keeps the text it is sent if {@code keepTexts}, and reads nothing after the
     * upgrade until {@link #startReading} if {@code paused}.
     */
    RawWebSocket(URI ws, boolean keepTexts, boolean paused) throws IOException {
        this.keepTexts = keepTexts;
        this.reading = new java.util.concurrent.CountDownLatch(paused ? 1 : 0);
        socket = new Socket();
        // A small window, so what the server sends piles up on its side rather than in this one.
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new java.net.InetSocketAddress(ws.getHost(), ws.getPort()));
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + ws.getPath() + " HTTP/1.1\r\n"
                + "Host: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        String status = readLine(in);
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("the server refused the upgrade: " + status);
        }
        while (!readLine(in).isEmpty()) {
            // response headers
        }
        Thread reader = new Thread(() -> read(in), "raw-websocket-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** textFrame encodes one masked text frame, as a client must send it. */
    static byte[] textFrame(String text) {
        return frame(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** frame encodes one masked frame: {@code first} is the FIN bit and opcode byte (0x81 a whole text frame). */
    static byte[] frame(int first, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(first);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    /** closeFrame encodes a masked close frame with a code. */
    static byte[] closeFrame(int code) {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] payload = {(byte) (code >>> 8), (byte) code};
        return new byte[] {(byte) 0x88, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
                (byte) (payload[0] ^ mask[0]), (byte) (payload[1] ^ mask[1])};
    }

    /** write sends bytes (any number of encoded frames) at once. */
    void write(byte[] frames) throws IOException {
        out.write(frames);
        out.flush();
    }

    /** startReading lets a paused client read again. */
    void startReading() {
        reading.countDown();
    }

    private void read(DataInputStream in) {
        try {
            reading.await();
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                int opcode = b0 & 0x0f;
                if (opcode == 0x8) {
                    int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                    String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                    closed.complete(new WsClient.Closed(code, reason));
                    continue;
                }
                if (opcode == 0x1 || opcode == 0x0) {
                    if (keepTexts) {
                        texts.add(new String(payload, StandardCharsets.UTF_8));
                    }
                    textFrames.incrementAndGet();
                }
            }
        } catch (EOFException e) {
            closed.complete(new WsClient.Closed(-1, "the server closed the socket without a close frame"));
        } catch (IOException e) {
            closed.complete(new WsClient.Closed(-1, e.toString()));
        } catch (InterruptedException e) {
            closed.complete(new WsClient.Closed(-1, "interrupted"));
        } finally {
            ended.complete(null);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1) {
            throw new EOFException("the server closed the connection during the handshake");
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
