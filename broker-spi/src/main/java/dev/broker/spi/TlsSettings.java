package dev.broker.spi;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TlsSettings is the TLS part of the configuration (docs/security.md): with a keystore the port
 * serves HTTPS and WSS only. Immutable.
 *
 * @param keystore {@code TLS_KEYSTORE}: a PKCS12 file with the server's private key and certificate chain
 * @param password {@code TLS_KEYSTORE_PASSWORD}: its password (never printed)
 */
public record TlsSettings(Optional<Path> keystore, String password) {
    /** NONE serves plain HTTP and WebSocket. */
    public static final TlsSettings NONE = new TlsSettings(Optional.empty(), "");

    public TlsSettings {
        Objects.requireNonNull(keystore, "TLS_KEYSTORE");
        Objects.requireNonNull(password, "TLS_KEYSTORE_PASSWORD");
    }

    /** enabled tells whether the port speaks TLS. */
    public boolean enabled() {
        return keystore.isPresent();
    }

    @Override
    public String toString() {
        return "TlsSettings[keystore=" + keystore + ", password=" + (password.isEmpty() ? "(none)" : "(set)") + "]";
    }
}
