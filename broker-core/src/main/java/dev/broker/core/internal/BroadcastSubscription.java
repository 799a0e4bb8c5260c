package dev.broker.core.internal;

import dev.broker.api.Delivery;
import dev.broker.api.MessageListener;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicPattern;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BroadcastSubscription hands every stored message of its matching topics to one listener, from
 * where it started on. It holds no durable state. Thread-safe: {@link #offer} is called by each
 * topic's pump, one thread at a time per topic; {@link #close} from anywhere.
 */
final class BroadcastSubscription implements TopicSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastSubscription.class);

    private final TopicPattern pattern;
    private final StartFrom from;
    private final MessageListener listener;
    private final Consumer<TopicSubscriber> onClose;
    private final Set<TopicLog> topics = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    BroadcastSubscription(TopicPattern pattern, StartFrom from, MessageListener listener, Consumer<TopicSubscriber> onClose) {
        this.pattern = pattern;
        this.from = from;
        this.listener = listener;
        this.onClose = onClose;
    }

    @Override
    public TopicPattern pattern() {
        return pattern;
    }

    @Override
    public void attach(TopicLog log) {
        if (!closed && topics.add(log)) {
            log.attachBroadcast(this, from);
        }
    }

    boolean closed() {
        return closed;
    }

    MessageListener listener() {
        return listener;
    }

    void offer(Delivery delivery) {
        if (closed) {
            return;
        }
        try {
            listener.onMessage(delivery);
        } catch (RuntimeException e) {
            LOG.warn("subscription to {} failed and is closed: {}", pattern, e.toString());
            close();
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
            LOG.warn("subscription to {} failed and is closed: {}", pattern, e.toString());
            close();
        }
    }

    @Override
    public void wake() {
        // A replay waits for room in the listener; live delivery never does.
        for (TopicLog log : topics) {
            log.pump();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
            for (TopicLog log : topics) {
                log.detachBroadcast(this);
            }
            topics.clear();
        }
    }
}
