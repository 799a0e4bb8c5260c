package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ConnectionLimitsTest talks to the broker over raw sockets: past MAX_CONNECTIONS a new connection
 * waits until an open one closes, while the open ones are served (docs/limits.md).
 */
class ConnectionLimitsTest {

    private static void get(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** status reads one answer's status line and skips its headers and its small body. */
    private static String status(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        String text = head.toString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        if (m.find()) {
            in.readNBytes(Integer.parseInt(m.group(1)));
        } else if (text.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            StringBuilder rest = new StringBuilder();
            while (!rest.toString().endsWith("\r\n0\r\n\r\n") && !rest.toString().equals("0\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                rest.append((char) c);
            }
        }
        return text.lines().findFirst().orElse("");
    }

    @Test
    void pastMaxConnectionsANewConnectionWaitsUntilOneCloses() throws Exception {
        try (ApiBroker broker = ApiBroker.start("MAX_CONNECTIONS", "3")) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket("127.0.0.1", broker.port);
                    s.setSoTimeout(5000);
                    get(s, "/health");
                    assertTrue(status(s).startsWith("HTTP/1.1 200"));
                    open.add(s);
                }
                Socket waiting = new Socket("127.0.0.1", broker.port);
                open.add(waiting);
                waiting.setSoTimeout(1500);
                get(waiting, "/health");
                boolean answered;
                try {
                    answered = waiting.getInputStream().read() >= 0;
                } catch (SocketTimeoutException e) {
                    answered = false;
                }
                assertTrue(!answered, "a fourth connection was served while three were open");
                get(open.get(0), "/health");
                assertTrue(status(open.get(0)).startsWith("HTTP/1.1 200"), "the open connections are still served");
                open.remove(0).close();
                waiting.setSoTimeout(5000);
                assertTrue(status(waiting).startsWith("HTTP/1.1 200"), "the waiting connection is served once one closes");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
