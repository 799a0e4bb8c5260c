package dev.broker.auth.token.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.api.TopicPattern;
import dev.broker.spi.AuthSettings;
import dev.broker.spi.Authenticator;
import dev.broker.spi.Principal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TokenAuthenticator accepts the tokens of {@code AUTH_TOKENS_FILE} (looked up by their SHA-256)
 * and JWTs signed with {@code AUTH_JWT_SECRET} (HS256) or the key of {@code AUTH_JWT_PUBLIC_KEY}
 * (RS256 or ES256), with {@code sub} and {@code exp} required and {@code nbf} honoured. The
 * tokens file is checked for changes once a second on its own thread and re-read; a file that no
 * longer parses is reported and the tokens read before stay in force. See docs/security.md.
 * Thread-safe: {@link #authenticate} reads an immutable map and immutable verifiers.
 */
final class TokenAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);
    /** A token longer than this is refused before any work is done on it. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final Optional<Path> tokensFile;
    private volatile Map<String, Principal> tokens = Map.of();
    private volatile Object fileVersion;
    private final Optional<JWSVerifier> hmac;
    private final Optional<JWSVerifier> publicKey;
    private final Optional<JWSAlgorithm> publicKeyAlgorithm;
    private final Clock clock;
    private final ScheduledExecutorService reloader;

    private TokenAuthenticator(AuthSettings settings, Clock clock) throws IOException, JOSEException {
        this.clock = clock;
        this.tokensFile = settings.tokensFile();
        this.hmac = settings.jwtSecret().isPresent()
                ? Optional.of(new MACVerifier(settings.jwtSecret().get().getBytes(StandardCharsets.UTF_8))) : Optional.empty();
        if (settings.jwtPublicKey().isPresent()) {
            PublicKey key = readPublicKey(settings.jwtPublicKey().get());
            if (key instanceof RSAPublicKey rsa) {
                publicKey = Optional.of(new RSASSAVerifier(rsa));
                publicKeyAlgorithm = Optional.of(JWSAlgorithm.RS256);
            } else {
                publicKey = Optional.of(new ECDSAVerifier((ECPublicKey) key));
                publicKeyAlgorithm = Optional.of(JWSAlgorithm.ES256);
            }
        } else {
            publicKey = Optional.empty();
            publicKeyAlgorithm = Optional.empty();
        }
        if (tokensFile.isPresent()) {
            Path file = tokensFile.get();
            fileVersion = version(file);
            tokens = TokensFile.read(file);
            reloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "broker-auth-reload");
                t.setDaemon(true);
                return t;
            });
            reloader.scheduleWithFixedDelay(this::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
        } else {
            reloader = null;
        }
    }

    static TokenAuthenticator create(AuthSettings settings) throws IOException, JOSEException {
        return create(settings, Clock.systemUTC());
    }

    static TokenAuthenticator create(AuthSettings settings, Clock clock) throws IOException, JOSEException {
        try {
            return new TokenAuthenticator(settings, clock);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read " + e.getFile() + ": no such file", e);
        }
    }

    @Override
    public String description() {
        List<String> what = new ArrayList<>();
        tokensFile.ifPresent(f -> what.add(tokens.size() + " tokens from " + f));
        hmac.ifPresent(h -> what.add("JWTs signed with AUTH_JWT_SECRET (HS256)"));
        publicKeyAlgorithm.ifPresent(a -> what.add("JWTs signed with the key of AUTH_JWT_PUBLIC_KEY (" + a + ")"));
        return String.join(", ", what);
    }

    @Override
    public Principal authenticate(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw unauthorized("the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        if ((hmac.isPresent() || publicKey.isPresent()) && looksLikeJwt(token)) {
            return jwt(token);
        }
        Principal p = tokens.get(sha256(token));
        if (p == null) {
            throw unauthorized("the token is not valid");
        }
        return p;
    }

    private static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return token.startsWith("eyJ") && first > 0 && token.indexOf('.', first + 1) > first;
    }

    private Principal jwt(String token) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw unauthorized("the token is not a well-formed JWT");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWSVerifier verifier;
        if (JWSAlgorithm.HS256.equals(alg) && hmac.isPresent()) {
            verifier = hmac.get();
        } else if (publicKeyAlgorithm.isPresent() && publicKeyAlgorithm.get().equals(alg)) {
            verifier = publicKey.get();
        } else {
            throw unauthorized("the JWT is signed with " + alg + ", which this broker does not accept");
        }
        try {
            if (!jwt.verify(verifier)) {
                throw unauthorized("the JWT's signature does not match");
            }
        } catch (JOSEException e) {
            throw unauthorized("the JWT's signature cannot be checked: " + e.getMessage());
        }
        Instant now = clock.instant();
        String subject = claims.getSubject();
        Date exp = claims.getExpirationTime();
        if (subject == null || subject.isBlank()) {
            throw unauthorized("the JWT has no 'sub' claim");
        }
        if (exp == null) {
            throw unauthorized("the JWT has no 'exp' claim");
        }
        if (!exp.toInstant().isAfter(now)) {
            throw unauthorized("the JWT expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now)) {
            throw unauthorized("the JWT is not valid before " + nbf.toInstant());
        }
        return Principal.of(subject, patterns(claims, "publish"), patterns(claims, "consume"), admin(claims),
                Optional.of(exp.toInstant()));
    }

    private static List<TopicPattern> patterns(JWTClaimsSet claims, String name) {
        List<String> values;
        try {
            values = claims.getStringListClaim(name);
        } catch (ParseException e) {
            throw unauthorized("the JWT's '" + name + "' claim must be a list of topic patterns");
        }
        if (values == null) {
            return List.of();
        }
        List<TopicPattern> out = new ArrayList<>(values.size());
        for (String v : values) {
            try {
                out.add(TopicPattern.of(v));
            } catch (BrokerException e) {
                throw unauthorized("the JWT's '" + name + "' claim: " + e.detail());
            }
        }
        return out;
    }

    private static boolean admin(JWTClaimsSet claims) {
        try {
            Boolean admin = claims.getBooleanClaim("admin");
            return admin != null && admin;
        } catch (ParseException e) {
            throw unauthorized("the JWT's 'admin' claim must be true or false");
        }
    }

    private static BrokerException unauthorized(String why) {
        return new BrokerException(ErrorCode.UNAUTHORIZED, why);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the tokens file ------------------------------------------------------------------------

    private void reloadIfChanged() {
        Path file = tokensFile.orElseThrow();
        try {
            Object now = version(file);
            if (now.equals(fileVersion)) {
                return;
            }
            fileVersion = now;
            Map<String, Principal> read = TokensFile.read(file);
            tokens = read;
            LOG.info("re-read {}: {} tokens", file, read.size());
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot re-read {} (the tokens read before stay in force): {}", file, e.getMessage());
        }
    }

    private static Object version(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    }

    private static PublicKey readPublicKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = text.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(pem + " holds no '-----BEGIN PUBLIC KEY-----' block (a PEM SubjectPublicKeyInfo,"
                    + " as 'openssl pkey -pubout' writes)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + 26, end));
        } catch (IllegalArgumentException e) {
            throw new IOException(pem + ": the key is not valid base64");
        }
        for (String kind : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(kind).generatePublic(new X509EncodedKeySpec(der));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // try the next kind
            }
        }
        throw new IOException(pem + " holds neither an RSA nor an EC public key");
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
