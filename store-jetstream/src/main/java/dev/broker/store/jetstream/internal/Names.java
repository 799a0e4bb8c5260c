package dev.broker.store.jetstream.internal;

import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import java.util.Optional;

/**
 * Names maps topics and groups to JetStream's names (docs/jetstream.md): topic {@code a.b} is
 * stream {@code T-a_db} on subject {@code t.a.b}; group {@code g} is durable consumer {@code g}. Stream
 * and consumer names may not hold dots, so a dot is written {@code _d} and an underscore {@code __}.
 */
final class Names {
    static final String STREAM_PREFIX = "T-";
    static final String SUBJECT_PREFIX = "t.";

    private Names() {
    }

    static String stream(TopicName topic) {
        return STREAM_PREFIX + escape(topic.value());
    }

    static String subject(TopicName topic) {
        return SUBJECT_PREFIX + topic.value();
    }

    static String consumer(GroupName group) {
        return escape(group.value());
    }

    /** topic is the topic of a stream this store made, or empty for any other stream. */
    static Optional<TopicName> topic(String stream) {
        if (!stream.startsWith(STREAM_PREFIX)) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder();
        String s = stream.substring(STREAM_PREFIX.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                if (i + 1 >= s.length()) {
                    return Optional.empty();
                }
                char n = s.charAt(++i);
                if (n == '_') {
                    b.append('_');
                } else if (n == 'd') {
                    b.append('.');
                } else {
                    return Optional.empty();
                }
            } else {
                b.append(c);
            }
        }
        try {
            return Optional.of(TopicName.of(b.toString()));
        } catch (RuntimeException notOurs) {
            return Optional.empty();
        }
    }

    static String escape(String name) {
        StringBuilder b = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                b.append("__");
            } else if (c == '.') {
                b.append("_d");
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
