package dev.broker.spi;

import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Principal is who a request or connection acts for, and what it may do: publish to the topics
 * its {@code publish} patterns match, consume (consume, subscribe, ack, nack, extend, browse, stats)
 * from the topics its {@code consume} patterns match, and administer (delete, redrive, groups on
 * wildcard patterns) if {@code admin}. Patterns use the topic pattern syntax ({@code *}, {@code >});
 * as in subscriptions, a pattern that begins with a wildcard does not match {@code dlq.} topics,
 * so a right on dead letters is given by naming them ({@code dlq.>}). See docs/security.md.
 * Immutable and thread-safe.
 */
public final class Principal {
    private static final Principal UNRESTRICTED = new Principal("anonymous", List.of(), List.of(), true, Optional.empty(), true);

    private final String name;
    private final List<TopicPattern> publish;
    private final List<TopicPattern> consume;
    private final boolean admin;
    private final Optional<Instant> expires;
    private final boolean unrestricted;

    private Principal(String name, List<TopicPattern> publish, List<TopicPattern> consume, boolean admin,
                      Optional<Instant> expires, boolean unrestricted) {
        this.name = Objects.requireNonNull(name, "name");
        this.publish = List.copyOf(publish);
        this.consume = List.copyOf(consume);
        this.admin = admin;
        this.expires = Objects.requireNonNull(expires, "expires");
        this.unrestricted = unrestricted;
    }

    /**
     * of makes a principal with these rights.
     *
     * @param expires when its credential stops being valid (a JWT's {@code exp}); empty for a token of the tokens file
     */
    public static Principal of(String name, List<TopicPattern> publish, List<TopicPattern> consume, boolean admin,
                               Optional<Instant> expires) {
        return new Principal(name, publish, consume, admin, expires, false);
    }

    /** unrestricted is whoever reaches a broker without authentication: allowed everything. */
    public static Principal unrestricted() {
        return UNRESTRICTED;
    }

    public String name() {
        return name;
    }

    public List<TopicPattern> publishPatterns() {
        return publish;
    }

    public List<TopicPattern> consumePatterns() {
        return consume;
    }

    public boolean admin() {
        return admin;
    }

    public Optional<Instant> expires() {
        return expires;
    }

    /** mayPublish tells whether a {@code publish} pattern matches the topic. */
    public boolean mayPublish(TopicName topic) {
        return unrestricted || matchesAny(publish, topic);
    }

    /** mayConsume tells whether a {@code consume} pattern matches the topic. */
    public boolean mayConsume(TopicName topic) {
        return unrestricted || matchesAny(consume, topic);
    }

    /** mayConsume tells whether one {@code consume} pattern matches every topic the pattern can match. */
    public boolean mayConsume(TopicPattern pattern) {
        if (unrestricted) {
            return true;
        }
        for (TopicPattern right : consume) {
            if (covers(right, pattern)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAny(List<TopicPattern> patterns, TopicName topic) {
        for (TopicPattern p : patterns) {
            if (p.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    /** covers tells whether every topic {@code wanted} matches is matched by {@code right}. */
    static boolean covers(TopicPattern right, TopicPattern wanted) {
        String[] r = right.value().split("\\.", -1);
        String[] w = wanted.value().split("\\.", -1);
        boolean rightStartsWild = r[0].equals("*") || r[0].equals(">");
        if (rightStartsWild && w[0].equals("dlq")) {
            return false; // a leading wildcard never reaches dead letters
        }
        for (int i = 0; i < w.length; i++) {
            if (i >= r.length) {
                return false;
            }
            if (r[i].equals(">")) {
                return true;
            }
            if (w[i].equals(">")) {
                return false;
            }
            if (w[i].equals("*")) {
                if (!r[i].equals("*")) {
                    return false;
                }
            } else if (!r[i].equals("*") && !r[i].equals(w[i])) {
                return false;
            }
        }
        return r.length == w.length;
    }

    @Override
    public String toString() {
        return name;
    }
}
