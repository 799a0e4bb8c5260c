package dev.broker.auth.token.internal;

import dev.broker.spi.AuthProvider;
import dev.broker.spi.AuthSettings;
import dev.broker.spi.Authenticator;

/** TokenAuthProvider is the {@code token} authentication plugin's entry. Stateless. */
public final class TokenAuthProvider implements AuthProvider {
    @Override
    public String name() {
        return "token";
    }

    @Override
    public Authenticator create(AuthSettings settings) throws Exception {
        return TokenAuthenticator.create(settings);
    }
}
