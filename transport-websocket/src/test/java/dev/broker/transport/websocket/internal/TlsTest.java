package dev.broker.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.core.Broker;
import dev.broker.core.ConfigException;
import dev.broker.core.Settings;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TlsTest serves the port with a PKCS12 keystore that the JDK's keytool made: WSS and HTTPS with
 * a client that trusts the certificate, plain WebSocket refused, and a new certificate taken up
 * once the file changes, without a restart.
 */
class TlsTest {
    private static final String PASSWORD = "changeit";

    @TempDir
    Path dir;

    private Path keystore(String name, String cn) throws Exception {
        Path file = dir.resolve(name);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "broker", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + cn, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD,
                "-ext", "SAN=ip:127.0.0.1,dns:localhost").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return file;
    }

    private static HttpClient trusting(Path... keystores) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Path k : keystores) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(k)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            trust.setCertificateEntry("cert" + i++, ks.getCertificate("broker"));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static Broker start(Path keystore, String password) {
        Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false",
                "TLS_KEYSTORE", keystore.toString(), "TLS_KEYSTORE_PASSWORD", password));
        return Broker.start(Settings.fromEnvironment(env));
    }

    private static String subject(HttpResponse<?> r) throws Exception {
        X509Certificate c = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        return c.getSubjectX500Principal().getName();
    }

    @Test
    void thePortSpeaksTlsAndTakesUpANewCertificate() throws Exception {
        Path one = keystore("one.p12", "broker-one");
        Path two = keystore("two.p12", "broker-two");
        Path live = dir.resolve("broker.p12");
        Files.copy(one, live);
        try (Broker b = start(live, PASSWORD)) {
            URI ws = b.endpoints().stream().filter(u -> u.getScheme().equals("wss")).findFirst().orElseThrow();
            int port = ws.getPort();
            URI https = URI.create("https://127.0.0.1:" + port + "/nothing-here");
            HttpResponse<String> r = trusting(one).send(HttpRequest.newBuilder(https).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), "the web server's own 404, over HTTPS");
            assertEquals("CN=broker-one", subject(r));

            CompletableFuture<String> reply = new CompletableFuture<>();
            WebSocket socket = trusting(one).newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + port + "/ws"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            reply.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            socket.sendText("{\"type\":\"subscribe\",\"topic\":\"secure.t\"}", true).join();
            assertTrue(reply.get(10, TimeUnit.SECONDS).contains("\"subscribed\""));
            socket.abort();

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(Exception.class, () -> plain.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS), "plain WebSocket on a TLS port");

            // Certificate rotation: the file is replaced; new connections get the new certificate.
            Files.copy(two, dir.resolve("next.p12"));
            Files.move(dir.resolve("next.p12"), live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String seen = "";
            for (int i = 0; i < 100 && !seen.equals("CN=broker-two"); i++) {
                Thread.sleep(100);
                seen = subject(trusting(one, two).send(HttpRequest.newBuilder(https).build(), HttpResponse.BodyHandlers.discarding()));
            }
            assertEquals("CN=broker-two", seen, "the new keystore was not taken up within 10 s");
        }
    }

    @Test
    void aKeystoreThatCannotBeOpenedStopsStartUpWithOneLine() throws Exception {
        Path one = keystore("one.p12", "broker-one");
        ConfigException wrong = assertThrows(ConfigException.class, () -> start(one, "not-the-password"));
        assertTrue(wrong.getMessage().contains("wrong password") && !wrong.getMessage().contains("not-the-password"),
                wrong.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> start(dir.resolve("absent.p12"), PASSWORD));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
