/**
 * Token authentication: bearer tokens from a tokens file and JWTs (HS256, RS256, ES256) for the
 * broker's port. Found by {@link java.util.ServiceLoader} as the authentication plugin named
 * {@code token}; it exports nothing. See docs/security.md.
 */
module dev.broker.auth.token {
    requires dev.broker.spi;
    requires com.nimbusds.jose.jwt;
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    provides dev.broker.spi.AuthProvider with dev.broker.auth.token.internal.TokenAuthProvider;
}
