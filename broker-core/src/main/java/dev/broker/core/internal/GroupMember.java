package dev.broker.core.internal;

import dev.broker.api.AckMode;
import dev.broker.api.Delivery;
import dev.broker.api.GroupName;
import dev.broker.api.MessageListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GroupMember is a push consumer in a group: a subscription's listener, sharing the group's
 * messages with the group's other members and pollers. One member may belong to the group on
 * several topics (a pattern subscription); its in-flight count spans them all. Thread-safe.
 */
final class GroupMember {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);

    final GroupName group;
    final AckMode ack;
    final int maxInFlight;
    private final MessageListener listener;
    private final Runnable onFailure;
    /** inFlight counts this member's leases on every topic. */
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean closed;

    GroupMember(GroupName group, AckMode ack, int maxInFlight, MessageListener listener, Runnable onFailure) {
        this.group = group;
        this.ack = ack;
        this.maxInFlight = maxInFlight;
        this.listener = listener;
        this.onFailure = onFailure;
    }

    /** capacity is how many messages the member may be handed now. */
    int capacity() {
        if (closed) {
            return 0;
        }
        int room = Math.min(listener.capacity(), maxInFlight);
        if (ack == AckMode.MANUAL) {
            room = Math.min(room, maxInFlight - inFlight.get());
        }
        return Math.max(0, room);
    }

    /** deliver hands messages to the listener; called by its topic's pump, outside the topic's monitor. */
    void deliver(List<Delivery> deliveries) {
        for (Delivery d : deliveries) {
            if (closed) {
                return;
            }
            try {
                listener.onMessage(d);
            } catch (RuntimeException e) {
                LOG.warn("a member of group {} failed and is closed: {}", group, e.toString());
                onFailure.run();
                return;
            }
        }
    }

    /** flush ends a delivery round for the listener. */
    void flush() {
        if (closed) {
            return;
        }
        try {
            listener.flush();
        } catch (RuntimeException e) {
            LOG.warn("a member of group {} failed and is closed: {}", group, e.toString());
            onFailure.run();
        }
    }

    MessageListener listener() {
        return listener;
    }
}
