package dev.broker.spi;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * AuthSettings is the authentication part of the configuration (docs/security.md). Immutable.
 *
 * @param tokensFile    {@code AUTH_TOKENS_FILE}: a JSON array of named tokens (by SHA-256) and their rights
 * @param jwtSecret     {@code AUTH_JWT_SECRET}: the HS256 key of JWTs
 * @param jwtPublicKey  {@code AUTH_JWT_PUBLIC_KEY}: a PEM file with the RS256 or ES256 key of JWTs
 * @param metricsPublic {@code METRICS_PUBLIC}: whether {@code /metrics} is served without a token
 */
public record AuthSettings(Optional<Path> tokensFile, Optional<String> jwtSecret, Optional<Path> jwtPublicKey,
                           boolean metricsPublic) {
    /** NONE turns authentication off. */
    public static final AuthSettings NONE = new AuthSettings(Optional.empty(), Optional.empty(), Optional.empty(), false);

    public AuthSettings {
        Objects.requireNonNull(tokensFile, "AUTH_TOKENS_FILE");
        Objects.requireNonNull(jwtSecret, "AUTH_JWT_SECRET");
        Objects.requireNonNull(jwtPublicKey, "AUTH_JWT_PUBLIC_KEY");
        if (jwtSecret.isPresent() && jwtSecret.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("AUTH_JWT_SECRET must be at least 32 bytes (HS256 needs a 256-bit key)");
        }
    }

    /** enabled tells whether any credential is configured: then every request needs a token. */
    public boolean enabled() {
        return tokensFile.isPresent() || jwtSecret.isPresent() || jwtPublicKey.isPresent();
    }

    @Override
    public String toString() {
        // never the secret
        return "AuthSettings[tokensFile=" + tokensFile + ", jwtSecret=" + (jwtSecret.isPresent() ? "(set)" : "(none)")
                + ", jwtPublicKey=" + jwtPublicKey + ", metricsPublic=" + metricsPublic + "]";
    }
}
