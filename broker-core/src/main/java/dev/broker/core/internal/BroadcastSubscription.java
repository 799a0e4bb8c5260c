package dev.broker.core.internal;

import dev.broker.api.Delivery;
import dev.broker.api.Message;
import dev.broker.api.MessageListener;
import dev.broker.api.Subscription;
import dev.broker.api.TopicPattern;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BroadcastSubscription hands every stored message of its matching topics to one listener.
 * Thread-safe: {@link #offer} is called by each topic's dispatcher, {@link #close} from anywhere.
 */
final class BroadcastSubscription implements Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastSubscription.class);

    private final TopicPattern pattern;
    private final MessageListener listener;
    private final Consumer<BroadcastSubscription> onClose;
    private volatile boolean closed;

    BroadcastSubscription(TopicPattern pattern, MessageListener listener, Consumer<BroadcastSubscription> onClose) {
        this.pattern = pattern;
        this.listener = listener;
        this.onClose = onClose;
    }

    @Override
    public TopicPattern pattern() {
        return pattern;
    }

    void offer(Message message) {
        if (closed) {
            return;
        }
        try {
            listener.onMessage(new Delivery(message, 0));
        } catch (RuntimeException e) {
            LOG.warn("subscription to {} failed and is closed: {}", pattern, e.toString());
            close();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
        }
    }
}
