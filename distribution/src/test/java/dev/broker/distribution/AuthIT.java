package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AuthIT checks authentication in the built image: its start-up line, a token of a tokens file,
 * and a JWT (so the JWT library and the JDK modules it needs are in the image).
 */
class AuthIT {
    private static final String SECRET = "a secret for the image's JWT test, 32+ bytes";

    @TempDir
    Path dir;

    private static HttpResponse<String> publish(URI base, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve("publish/orders.new")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return Http.CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** hs256 signs a JWT with the JDK, as any client library would. */
    private static String hs256(String claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signing = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signing + "." + b64.encodeToString(mac.doFinal(signing.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theImageChecksTokensAndJwts() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("s3cret".getBytes(StandardCharsets.UTF_8)));
        Path tokens = Files.writeString(dir.resolve("tokens.json"),
                "[{\"name\":\"svc\",\"sha256\":\"" + sha + "\",\"publish\":[\"orders.>\"]}]");
        try (RunningImage broker = RunningImage.start(RunningImage.image(),
                Map.of("AUTH_TOKENS_FILE", tokens.toString(), "AUTH_JWT_SECRET", SECRET))) {
            assertTrue(broker.output().contains("authentication is on: 1 tokens from"), broker.output());
            URI base = broker.base();
            assertEquals(401, publish(base, null).statusCode());
            assertEquals(201, publish(base, "s3cret").statusCode());
            long exp = System.currentTimeMillis() / 1000 + 60;
            assertEquals(201, publish(base, hs256("{\"sub\":\"job\",\"exp\":" + exp + ",\"publish\":[\"orders.*\"]}")).statusCode());
            assertEquals(403, publish(base, hs256("{\"sub\":\"job\",\"exp\":" + exp + ",\"publish\":[\"other\"]}")).statusCode());
            assertEquals(200, Http.get(base, "health").statusCode());
        }
        try (RunningImage open = RunningImage.start(RunningImage.image(), Map.of())) {
            assertTrue(open.output().contains("authentication is off"), open.output());
            assertEquals(201, publish(open.base(), null).statusCode());
        }
    }
}
