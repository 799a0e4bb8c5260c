package dev.broker.spi;

import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * SharedStore is the second kind of store: one that many broker processes use at once, so that
 * the store, not the core, owns offsets, retention, leases and settling (docs/jetstream.md). The
 * core still checks every request (sizes, reserved topics, limits, rights) before it calls the
 * store, and answers with the error codes and wire formats of the local stores. Receipts are the
 * store's own and opaque to the core. Every method is thread-safe; refusals are
 * {@link dev.broker.api.BrokerException}s, thrown or completing the stage exceptionally.
 */
public interface SharedStore {
    /** Core is what the core gives a shared store: message ids and the form of a dead letter. */
    interface Core {
        /** newId is a fresh message id (a UUID version 7). */
        UUID newId();

        /**
         * deadLetter is what goes to {@code dlq.{topic}} for message {@code m} after {@code deliveries}
         * deliveries in {@code group}: its data and headers with the provenance headers.
         *
         * @param reason {@code nack} or {@code ack-timeout}
         */
        NewMessage deadLetter(TopicName topic, GroupName group, Message m, int deliveries, String reason,
                              Instant firstFailureAt, Optional<String> lastError);

        /** defaults are the settings of a group made by its first use (ACK_TIMEOUT, MAX_DELIVERIES). */
        GroupSettings defaults();
    }

    /** start is called once, before anything else, with what the core offers. */
    void start(Core core);

    /**
     * publish stores a batch in a topic (making the topic if need be); the stage completes with the
     * stored messages, in batch order, once the store has them.
     */
    CompletionStage<List<Message>> publish(TopicName topic, List<NewMessage> batch);

    /** consume is {@link dev.broker.api.MessageBroker#consume}, the group made if it does not exist. */
    CompletionStage<List<Delivery>> consume(ConsumeRequest request);

    /** ack is {@link dev.broker.api.MessageBroker#ack}; its stage completes once the store confirmed it. */
    CompletionStage<SettleResult> ack(TopicName topic, GroupName group, List<String> receipts);

    /** nack is {@link dev.broker.api.MessageBroker#nack}; its stage completes once the store confirmed it. */
    CompletionStage<SettleResult> nack(TopicName topic, GroupName group, List<String> receipts, Optional<String> reason,
                                       Duration delay);

    /** extend is {@link dev.broker.api.MessageBroker#extend}; its stage completes once the store confirmed it. */
    CompletionStage<SettleResult> extend(TopicName topic, GroupName group, List<String> receipts);

    /** createGroup is {@link dev.broker.api.TopicAdmin#createGroup}. */
    GroupCreation createGroup(TopicName topic, GroupName group, GroupSettings settings);

    /** topics lists every topic of the store, sorted by name. */
    List<TopicInfo> topics();

    /** stats is a snapshot of a topic and its groups, or empty if there is no such topic. */
    Optional<TopicStats> stats(TopicName topic);

    /** browse reads messages without leasing them; throws {@code topic-not-found}. */
    List<Message> browse(TopicName topic, long fromOffset, int limit);

    /** deleteTopic removes a topic, its messages and its groups; false if there was no such topic. */
    boolean deleteTopic(TopicName topic);
}
