package dev.broker.auth.token.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.broker.core.Broker;
import dev.broker.core.Settings;
import dev.broker.core.StartupException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AuthTest starts a broker with the token plugin on a free port and talks to it over real HTTP and
 * WebSocket as clients with different tokens would: who is let in, what each right allows, receipts
 * bound to their holder, the tokens file re-read, and JWTs signed three ways.
 */
class AuthTest {
    private static final String SECRET = "an HS256 secret of at least 32 bytes, for tests";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static String sha(String token) {
        return TokenAuthenticator.sha256(token);
    }

    private Path tokensFile(String extraEntry) throws Exception {
        String json = "[\n"
                + "{\"name\":\"publisher\",\"sha256\":\"" + sha("pub-token") + "\",\"publish\":[\"orders.>\"]},\n"
                + "{\"name\":\"reader\",\"sha256\":\"" + sha("read-token") + "\",\"consume\":[\"orders.*\"]},\n"
                + "{\"name\":\"reader2\",\"sha256\":\"" + sha("read2-token") + "\",\"consume\":[\"orders.*\"]},\n"
                + "{\"name\":\"ops\",\"sha256\":\"" + sha("admin-token") + "\",\"publish\":[\">\"],\"consume\":[\">\",\"dlq.>\"],"
                + "\"admin\":true}" + extraEntry + "\n]";
        Path file = dir.resolve("tokens.json");
        Files.writeString(file, json);
        return file;
    }

    private static Broker start(String... settings) {
        Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return Broker.start(Settings.fromEnvironment(env));
    }

    private static URI base(Broker b) {
        return URI.create("http://127.0.0.1:" + b.endpoints().get(0).getPort() + "/");
    }

    private static HttpResponse<String> send(URI base, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String receipt(String body) {
        Matcher m = Pattern.compile("\"receipt\":\"([^\"]+)\"").matcher(body);
        assertTrue(m.find(), "no receipt in " + body);
        return m.group(1);
    }

    @Test
    void tokensFromTheFileGetTheirRightsAndNoMore() throws Exception {
        try (Broker b = start("AUTH_TOKENS_FILE", tokensFile("").toString())) {
            URI base = base(b);
            HttpResponse<String> none = send(base, "POST", "publish/orders.new", null, "{\"n\":1}");
            assertEquals(401, none.statusCode());
            assertEquals("Bearer realm=\"broker\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
            assertTrue(none.body().contains("urn:broker:error:unauthorized"), none.body());
            HttpResponse<String> bad = send(base, "POST", "publish/orders.new", "not-a-token", "{\"n\":1}");
            assertEquals(401, bad.statusCode());
            assertTrue(bad.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
            assertEquals(200, send(base, "GET", "health", null, null).statusCode(), "/health stays open");

            assertEquals(201, send(base, "POST", "publish/orders.new", "pub-token", "{\"n\":1}").statusCode());
            assertEquals(201, send(base, "POST", "publish/batch/orders.eu.new", "pub-token", "[1,2]").statusCode());
            HttpResponse<String> elsewhere = send(base, "POST", "publish/payments", "pub-token", "{\"n\":1}");
            assertEquals(403, elsewhere.statusCode());
            assertTrue(elsewhere.body().contains("urn:broker:error:forbidden"), elsewhere.body());
            assertEquals(403, send(base, "POST", "publish/orders.new", "read-token", "{\"n\":1}").statusCode());

            assertEquals(403, send(base, "GET", "consume/orders.new?group=g", "pub-token", null).statusCode());
            // orders.* does not reach orders.eu.new
            assertEquals(403, send(base, "GET", "consume/orders.eu.new?group=g", "read-token", null).statusCode());
            HttpResponse<String> got = send(base, "GET", "consume/orders.new?group=g&ack=manual", "read-token", null);
            assertEquals(200, got.statusCode(), got.body());
            String receipt = receipt(got.body());

            // The same rights under another name: the receipt is not theirs to settle.
            HttpResponse<String> other = send(base, "POST", "ack/orders.new?group=g", "read2-token",
                    "{\"receipts\":[\"" + receipt + "\"]}");
            assertEquals(200, other.statusCode(), other.body());
            assertTrue(other.body().contains("\"acked\":0") && other.body().contains(receipt), other.body());
            HttpResponse<String> own = send(base, "POST", "ack/orders.new?group=g", "read-token",
                    "{\"receipts\":[\"" + receipt + "\"]}");
            assertTrue(own.body().contains("\"acked\":1"), own.body());

            assertEquals(200, send(base, "GET", "topics/orders.new/messages", "read-token", null).statusCode());
            assertEquals(403, send(base, "GET", "topics/orders.new/messages", "pub-token", null).statusCode());
            String listed = send(base, "GET", "topics", "read-token", null).body();
            assertTrue(listed.contains("\"orders.new\"") && !listed.contains("orders.eu.new"), listed);
            assertTrue(send(base, "GET", "topics", "admin-token", null).body().contains("orders.eu.new"));

            assertEquals(403, send(base, "DELETE", "topics/orders.new", "read-token", null).statusCode());
            assertEquals(403, send(base, "POST", "topics/orders.new/dlq/redrive?group=g", "read-token", null).statusCode());
            assertEquals(204, send(base, "DELETE", "topics/orders.new", "admin-token", null).statusCode());

            assertEquals(401, send(base, "GET", "metrics", null, null).statusCode());
            assertEquals(403, send(base, "GET", "metrics", "read-token", null).statusCode());
            assertEquals(200, send(base, "GET", "metrics", "admin-token", null).statusCode());
        }
    }

    @Test
    void theTokensFileIsReadAgainWhenItChanges() throws Exception {
        Path file = tokensFile("");
        try (Broker b = start("AUTH_TOKENS_FILE", file.toString())) {
            URI base = base(b);
            assertEquals(401, send(base, "POST", "publish/orders.new", "new-token", "1").statusCode());
            Thread.sleep(1100); // a later modification time than the first read's, on coarse file systems too
            tokensFile(",\n{\"name\":\"late\",\"sha256\":\"" + sha("new-token") + "\",\"publish\":[\"orders.new\"]}");
            int status = 0;
            for (int i = 0; i < 50 && status != 201; i++) {
                Thread.sleep(100);
                status = send(base, "POST", "publish/orders.new", "new-token", "1").statusCode();
            }
            assertEquals(201, status, "the new token was not accepted within 5 s");
            // A file that no longer parses leaves the tokens read before in force.
            Files.writeString(file, "[{\"name\":");
            Thread.sleep(2500);
            assertEquals(201, send(base, "POST", "publish/orders.new", "new-token", "1").statusCode());
        }
    }

    @Test
    void metricsArePublicWhenTheOperatorSaysSo() throws Exception {
        try (Broker b = start("AUTH_TOKENS_FILE", tokensFile("").toString(), "METRICS_PUBLIC", "true")) {
            assertEquals(200, send(base(b), "GET", "metrics", null, null).statusCode());
            assertEquals(401, send(base(b), "GET", "topics", null, null).statusCode());
        }
    }

    // ---- JWTs -----------------------------------------------------------------------------------

    private static String jwt(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder claims(String sub, long expiresInMillis) {
        return new JWTClaimsSet.Builder().subject(sub).expirationTime(new Date(System.currentTimeMillis() + expiresInMillis))
                .claim("publish", List.of("jobs.>")).claim("consume", List.of("jobs.*"));
    }

    @Test
    void jwtsSignedWithTheSecretAreCheckedFully() throws Exception {
        MACSigner signer = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        try (Broker b = start("AUTH_JWT_SECRET", SECRET)) {
            URI base = base(b);
            String good = jwt(signer, JWSAlgorithm.HS256, claims("worker", 60_000).build());
            assertEquals(201, send(base, "POST", "publish/jobs.a", good, "1").statusCode());
            assertEquals(403, send(base, "POST", "publish/other", good, "1").statusCode());

            String expired = jwt(signer, JWSAlgorithm.HS256, claims("worker", -1000).build());
            HttpResponse<String> r = send(base, "POST", "publish/jobs.a", expired, "1");
            assertEquals(401, r.statusCode());
            assertTrue(r.body().contains("expired"), r.body());
            // Refused before its body was read, the request's connection is not reused.
            assertEquals("close", r.headers().firstValue("Connection").orElse(""), r.headers().toString());
            String early = jwt(signer, JWSAlgorithm.HS256, claims("worker", 60_000)
                    .notBeforeTime(new Date(System.currentTimeMillis() + 60_000)).build());
            assertEquals(401, send(base, "POST", "publish/jobs.a", early, "1").statusCode());
            String noExp = jwt(signer, JWSAlgorithm.HS256, new JWTClaimsSet.Builder().subject("w")
                    .claim("publish", List.of(">")).build());
            assertEquals(401, send(base, "POST", "publish/jobs.a", noExp, "1").statusCode());
            String noSub = jwt(signer, JWSAlgorithm.HS256, new JWTClaimsSet.Builder()
                    .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
            assertEquals(401, send(base, "POST", "publish/jobs.a", noSub, "1").statusCode());
            String otherKey = jwt(new MACSigner(("x" + SECRET).getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256,
                    claims("worker", 60_000).build());
            assertEquals(401, send(base, "POST", "publish/jobs.a", otherKey, "1").statusCode());
            // An unsigned token ("alg":"none") with the same claims
            String[] parts = good.split("\\.");
            String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                    + "." + parts[1] + ".";
            assertEquals(401, send(base, "POST", "publish/jobs.a", none, "1").statusCode());
            // A tampered payload
            String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    claims("worker", 60_000).claim("publish", List.of(">")).build().toString().getBytes(StandardCharsets.UTF_8))
                    + "." + parts[2];
            assertEquals(401, send(base, "POST", "publish/other", tampered, "1").statusCode());
        }
    }

    private Path pem(KeyPair pair) throws Exception {
        Path file = dir.resolve("key-" + pair.getPublic().getAlgorithm() + ".pem");
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        return file;
    }

    @Test
    void jwtsSignedWithAnRsaOrEcKeyAreAccepted() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaPair = rsa.generateKeyPair();
        try (Broker b = start("AUTH_JWT_PUBLIC_KEY", pem(rsaPair).toString())) {
            String token = jwt(new RSASSASigner(rsaPair.getPrivate()), JWSAlgorithm.RS256, claims("rsa-user", 60_000).build());
            assertEquals(201, send(base(b), "POST", "publish/jobs.a", token, "1").statusCode());
            String hs = jwt(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims("x", 60_000).build());
            assertEquals(401, send(base(b), "POST", "publish/jobs.a", hs, "1").statusCode(), "HS256 without a secret configured");
        }
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ecPair = ec.generateKeyPair();
        try (Broker b = start("AUTH_JWT_PUBLIC_KEY", pem(ecPair).toString())) {
            String token = jwt(new ECDSASigner((ECPrivateKey) ecPair.getPrivate()), JWSAlgorithm.ES256, claims("ec-user", 60_000).build());
            assertEquals(201, send(base(b), "POST", "publish/jobs.a", token, "1").statusCode());
        }
    }

    @Test
    void aBadConfigurationStopsStartUpWithOneClearLine() throws Exception {
        StartupException missing = assertThrows(StartupException.class,
                () -> start("AUTH_TOKENS_FILE", dir.resolve("absent.json").toString()));
        assertTrue(missing.getMessage().contains("absent.json"), missing.getMessage());
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "[{\"name\":\"x\",\"sha256\":\"12\"}]");
        StartupException bad = assertThrows(StartupException.class, () -> start("AUTH_TOKENS_FILE", broken.toString()));
        assertTrue(bad.getMessage().contains("sha256"), bad.getMessage());
        Exception shortSecret = assertThrows(RuntimeException.class, () -> start("AUTH_JWT_SECRET", "short"));
        assertFalse(shortSecret.getMessage().contains("short"), "the secret must not be printed: " + shortSecret.getMessage());
    }

    // ---- WebSocket ------------------------------------------------------------------------------

    /** Frames collects what a WebSocket client receives, and how it was closed. */
    private static final class Frames implements WebSocket.Listener {
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        String next() throws InterruptedException {
            String t = texts.poll(10, TimeUnit.SECONDS);
            assertNotNull(t, "no frame within 10 s");
            return t;
        }
    }

    private static WebSocket open(Broker b, String query, String bearer, Frames frames) {
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder.buildAsync(URI.create("ws://127.0.0.1:" + b.endpoints().get(0).getPort() + "/ws" + query), frames).join();
    }

    @Test
    void theWebSocketNeedsATokenAndChecksEveryFrame() throws Exception {
        try (Broker b = start("AUTH_TOKENS_FILE", tokensFile("").toString())) {
            CompletionException refused = assertThrows(CompletionException.class, () -> open(b, "", null, new Frames()));
            assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
            assertEquals(401, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
            assertThrows(CompletionException.class, () -> open(b, "?token=wrong", null, new Frames()));

            Frames reader = new Frames();
            WebSocket rws = open(b, "?token=read-token", null, reader); // as a browser sends it
            rws.sendText("{\"type\":\"subscribe\",\"topic\":\"orders.*\"}", true).join();
            assertTrue(reader.next().contains("\"subscribed\""));
            rws.sendText("{\"type\":\"subscribe\",\"topic\":\"orders.>\"}", true).join();
            String forbidden = reader.next();
            assertTrue(forbidden.contains("\"error\"") && forbidden.contains("\"forbidden\""), forbidden);

            Frames publisher = new Frames();
            WebSocket pws = open(b, "", "pub-token", publisher);
            pws.sendText("{\"type\":\"publish\",\"topic\":\"payments\",\"data\":1,\"messageId\":\"m1\"}", true).join();
            String denied = publisher.next();
            assertTrue(denied.contains("\"forbidden\"") && denied.contains("m1"), denied);
            // the connection stays open and may do what it may
            pws.sendText("{\"type\":\"publish\",\"topic\":\"orders.new\",\"data\":{\"ok\":true}}", true).join();
            assertTrue(publisher.next().contains("\"published\""));
            String delivered = reader.next();
            assertTrue(delivered.contains("\"message\"") && delivered.contains("{\"ok\":true}"), delivered);
            assertFalse(publisher.closed.isDone() || reader.closed.isDone());
        }
    }

    @Test
    void aWebSocketClosesWhenItsJwtExpires() throws Exception {
        MACSigner signer = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        try (Broker b = start("AUTH_JWT_SECRET", SECRET)) {
            String shortLived = jwt(signer, JWSAlgorithm.HS256, claims("brief", 1500).build());
            Frames frames = new Frames();
            WebSocket ws = open(b, "?token=" + shortLived, null, frames);
            ws.sendText("{\"type\":\"subscribe\",\"topic\":\"jobs.a\"}", true).join();
            assertTrue(frames.next().contains("\"subscribed\""));
            assertEquals(1008, frames.closed.get(10, TimeUnit.SECONDS));
        }
    }
}
