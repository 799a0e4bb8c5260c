package dev.broker.web;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.SettleResult;
import dev.broker.spi.Authenticator;
import dev.broker.spi.Principal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Access is authentication and authorization on the broker's port, shared by every plugin that
 * serves on it (docs/security.md). With authentication off, every request acts for
 * {@link Principal#unrestricted()} and receipts pass through unchanged. With it on, the web server
 * authenticates each request before any plugin sees it (only {@code /health}, {@code /openapi.json}
 * and, with {@code METRICS_PUBLIC=true}, {@code /metrics} are open) and plugins ask
 * {@link #principal} who it is; receipts handed to a principal carry a tag only that principal's
 * requests can present. Thread-safe and immutable.
 */
public final class Access {
    /** TOKEN_PARAMETER is the query parameter a browser uses for its token on {@code /ws}. */
    public static final String TOKEN_PARAMETER = "token";
    private static final String ATTRIBUTE = Principal.class.getName();
    private static final Base64.Encoder TAGS = Base64.getUrlEncoder().withoutPadding();
    /** 96 bits of HMAC-SHA256 bind a receipt to its principal. */
    private static final int TAG_BYTES = 12;

    private final Optional<Authenticator> authenticator;
    private final boolean metricsPublic;
    private final SecretKeySpec receiptKey;

    Access(Optional<Authenticator> authenticator, boolean metricsPublic) {
        this.authenticator = authenticator;
        this.metricsPublic = metricsPublic;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.receiptKey = new SecretKeySpec(key, "HmacSHA256");
    }

    /** enabled tells whether requests need a token. */
    public boolean enabled() {
        return authenticator.isPresent();
    }

    /** open tells whether a path is served without a token even with authentication on. */
    boolean open(String path) {
        return path.equals("/health") || path.equals("/openapi.json") || (metricsPublic && path.equals("/metrics"));
    }

    /**
     * authenticate finds the request's token ({@code Authorization: Bearer}, or for {@code /ws}
     * the {@code token} query parameter) and checks it.
     *
     * @throws BrokerException {@link ErrorCode#UNAUTHORIZED} without a valid token
     */
    Principal authenticate(Request request, String path) {
        String token = bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (token == null && path.equals("/ws")) {
            token = Request.extractQueryParameters(request).getValue(TOKEN_PARAMETER);
        }
        if (token == null || token.isEmpty()) {
            throw new BrokerException(ErrorCode.UNAUTHORIZED, "a token is needed: send 'Authorization: Bearer <token>'"
                    + (path.equals("/ws") ? " or add ?token= to the /ws address" : ""));
        }
        Principal p = authenticator.orElseThrow().authenticate(token);
        request.setAttribute(ATTRIBUTE, p);
        return p;
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return h.substring(7).trim();
        }
        return "";
    }

    /**
     * principal is who the request acts for: the one its token stands for, or
     * {@link Principal#unrestricted()} with authentication off.
     *
     * @throws IllegalStateException if authentication is on and the request was not authenticated (an open path)
     */
    public Principal principal(Request request) {
        if (authenticator.isEmpty()) {
            return Principal.unrestricted();
        }
        Object p = request.getAttribute(ATTRIBUTE);
        if (p == null) {
            throw new IllegalStateException("the request to " + request.getHttpURI().getPath() + " was not authenticated");
        }
        return (Principal) p;
    }

    /** bind gives a delivery's receipt the tag of the principal it is handed to. */
    public Delivery bind(Principal principal, Delivery delivery) {
        if (authenticator.isEmpty() || delivery.receipt().isEmpty()) {
            return delivery;
        }
        String receipt = delivery.receipt().get();
        return new Delivery(delivery.message(), delivery.retryCount(), delivery.group(),
                Optional.of(receipt + "." + tag(principal, receipt)));
    }

    /**
     * settle runs a settle operation on the receipts the principal may present; a receipt made for
     * another principal (or made up) is reported stale, as the core reports one whose lease is gone.
     */
    public CompletionStage<SettleResult> settle(Principal principal, List<String> receipts,
                                                Function<List<String>, CompletionStage<SettleResult>> operation) {
        if (authenticator.isEmpty()) {
            return operation.apply(receipts);
        }
        List<String> stale = new ArrayList<>();
        Map<String, String> presented = new HashMap<>();
        for (String bound : receipts) {
            int dot = bound.lastIndexOf('.');
            String receipt = dot < 0 ? "" : bound.substring(0, dot);
            byte[] expected = tag(principal, receipt).getBytes(StandardCharsets.US_ASCII);
            byte[] given = bound.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
            if (dot < 0 || !MessageDigest.isEqual(expected, given)) {
                stale.add(bound);
            } else {
                presented.put(receipt, bound);
            }
        }
        if (presented.isEmpty()) {
            return CompletableFuture.completedFuture(new SettleResult(0, stale));
        }
        return operation.apply(List.copyOf(presented.keySet())).thenApply(r -> {
            List<String> all = new ArrayList<>(stale);
            for (String s : r.stale()) {
                all.add(presented.getOrDefault(s, s));
            }
            return new SettleResult(r.settled(), all);
        });
    }

    private String tag(Principal principal, String receipt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(receiptKey);
            mac.update(principal.name().getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] full = mac.doFinal(receipt.getBytes(StandardCharsets.UTF_8));
            return TAGS.encodeToString(java.util.Arrays.copyOf(full, TAG_BYTES));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this Java runtime", e);
        }
    }
}
