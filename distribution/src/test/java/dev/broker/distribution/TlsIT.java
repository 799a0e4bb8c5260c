package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TlsIT runs the image with a PKCS12 keystore: it serves HTTPS (the image's JDK has what TLS needs). */
class TlsIT {
    @TempDir
    Path dir;

    @Test
    void theImageServesHttpsWithAKeystore() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-keypass", "changeit", "-ext", "SAN=ip:127.0.0.1,dns:localhost").redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), out);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, "changeit".toCharArray());
        }
        KeyStore certs = KeyStore.getInstance("PKCS12");
        certs.load(null, null);
        certs.setCertificateEntry("broker", trust.getCertificate("broker"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(certs);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();

        try (RunningImage broker = RunningImage.launch(RunningImage.image(), Map.of("TLS_KEYSTORE", keystore.toString(),
                "TLS_KEYSTORE_PASSWORD", "changeit"), "--port", "0")) {
            broker.awaitOutput("started in", 60);
            Matcher m = Pattern.compile("https://[^:]+:(\\d+)/").matcher(broker.output());
            assertTrue(m.find(), broker.output());
            URI base = URI.create("https://127.0.0.1:" + m.group(1) + "/");
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            HttpResponse<String> published = client.send(HttpRequest.newBuilder(base.resolve("publish/secure"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"ok\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, published.statusCode(), published.body());
            assertTrue(broker.output().contains("wss://"), "the start-up line names the WSS address: " + broker.output());
        }
    }
}
