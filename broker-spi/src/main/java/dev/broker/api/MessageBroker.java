package dev.broker.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * MessageBroker is the broker as its transports see it for moving messages: publish, consume,
 * settle and subscribe. {@link TopicAdmin} is the other half. Every method is thread-safe and may
 * be called from any thread. Refusals are {@link BrokerException}s, thrown or completing the
 * returned stage exceptionally.
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
    default CompletionStage<List<Message>> publish(TopicName topic, List<NewMessage> batch) {
        return publish(topic, batch, PublishOptions.NONE).thenApply(Published::messages);
    }

    /**
     * publish stores a batch as {@link #publish(TopicName, List)} does, with a delay, an expiry or
     * an idempotency key (docs/scheduled-and-idempotent.md). A repeat of a key within its window
     * stores nothing and completes with the first publish's messages, marked as replayed.
     *
     * @throws BrokerException as {@link #publish(TopicName, List)}, and {@link ErrorCode#INVALID_PARAMETER} for a
     *                         delay over {@code MAX_DELAY}
     */
    CompletionStage<Published> publish(TopicName topic, List<NewMessage> batch, PublishOptions options);

    /**
     * consume hands out up to {@code limit} messages of a topic to a group, oldest first. With
     * {@code wait}, the stage completes as soon as a message is there, or empty when the wait is
     * over; cancelling the stage gives up the wait. A manual delivery carries a receipt and is
     * leased for the group's ack timeout.
     */
    CompletionStage<List<Delivery>> consume(ConsumeRequest request);

    /** ack finishes leased messages of a group: they are never handed out again. */
    CompletionStage<SettleResult> ack(TopicName topic, GroupName group, List<String> receipts);

    /**
     * nack gives leased messages back to their group, to be handed out again after {@code delay}
     * with {@code retryCount} + 1, or dead-lettered once delivered {@code maxDeliveries} times.
     */
    CompletionStage<SettleResult> nack(TopicName topic, GroupName group, List<String> receipts,
                                       Optional<String> reason, Duration delay);

    /** extend renews leases for another ack timeout from now. */
    CompletionStage<SettleResult> extend(TopicName topic, GroupName group, List<String> receipts);

    /**
     * subscribe pushes messages of matching topics to a listener: every message (broadcast), or a
     * share of a group's messages (group member; a group that does not exist is created).
     */
    Subscription subscribe(SubscribeRequest request, MessageListener listener);
}
