package dev.broker.core.internal;

import dev.broker.api.StartFrom;
import dev.broker.api.TopicPattern;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * GroupSubscription makes a listener a member of a group on every topic its pattern matches.
 * Closing it gives the member's leases back to the group at once. Thread-safe.
 */
final class GroupSubscription implements TopicSubscriber {
    private final TopicPattern pattern;
    private final Optional<StartFrom> from;
    final GroupMember member;
    private final Consumer<TopicSubscriber> onClose;
    private final Set<TopicLog> topics = ConcurrentHashMap.newKeySet();

    GroupSubscription(TopicPattern pattern, Optional<StartFrom> from, GroupMember member, Consumer<TopicSubscriber> onClose) {
        this.pattern = pattern;
        this.from = from;
        this.member = member;
        this.onClose = onClose;
    }

    @Override
    public TopicPattern pattern() {
        return pattern;
    }

    @Override
    public void attach(TopicLog log) {
        if (!member.closed && topics.add(log)) {
            // A member by the topic's own name makes its group hold back a full topic; one of a wildcard does not.
            log.join(member, from, !pattern.isWildcard());
        }
    }

    @Override
    public void wake() {
        for (TopicLog log : topics) {
            log.pump();
        }
    }

    @Override
    public void close() {
        if (!member.closed) {
            member.closed = true;
            onClose.accept(this);
            for (TopicLog log : topics) {
                log.leave(member);
            }
            topics.clear();
        }
    }
}
