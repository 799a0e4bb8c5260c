package dev.broker.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * MessageBroker is the broker as its transports see it: publish, consume, subscribe and inspect.
 * Every method is thread-safe and may be called from any thread. Refusals are reported as
 * {@link BrokerException}, thrown or completing the returned stage exceptionally.
 */
public interface MessageBroker {
    /**
     * publish stores a batch of messages in a topic atomically: every message is stored, in order,
     * or none is. The stage completes once the store has them; only then can consumers see them.
     *
     * @return the stored messages with their ids, offsets and timestamps, in batch order
     * @throws BrokerException {@link ErrorCode#RESERVED_TOPIC}, {@link ErrorCode#MESSAGE_TOO_LARGE},
     *                         {@link ErrorCode#BATCH_TOO_LARGE}, {@link ErrorCode#TOPIC_FULL},
     *                         {@link ErrorCode#STORE_UNAVAILABLE}
     */
    CompletionStage<List<Message>> publish(TopicName topic, List<NewMessage> batch);

    /**
     * consume hands out up to {@code limit} messages of a topic to a group, oldest first, finishing
     * them as they are handed out (automatic acknowledgement). A group that does not exist yet is
     * created at the oldest retained message. Returns an empty list when the group has nothing new.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_PARAMETER} if limit is not positive
     */
    List<Delivery> consume(TopicName topic, GroupName group, int limit);

    /**
     * subscribe starts a broadcast subscription: the listener receives every message stored in a
     * matching topic from now on. It holds no durable state.
     */
    Subscription subscribe(TopicPattern pattern, MessageListener listener);

    /** topics lists every topic, sorted by name. */
    List<TopicInfo> topics();

    /** health reports whether the broker can take publishes, and why not. */
    HealthReport health();
}
