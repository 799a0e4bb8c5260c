package dev.broker.core.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DeadLetters is the broker's dead letter topics: what a dead letter carries (the message as it was
 * published, plus the {@code x-*} provenance headers), storing it in {@code dlq.{topic}}, and what
 * a redriven message carries. The headers are listed in docs/decisions/0006-groups-and-dead-letters.md
 * and docs/limits.md. Thread-safe: it keeps no state of its own.
 */
final class DeadLetters {
    /** REDRIVE_HEADER marks a redriven message with the one group that may see it. */
    static final String REDRIVE_HEADER = "x-redrive-group";

    /**
     * BROKER_HEADERS are the headers the broker writes on dead letters and redriven messages. A
     * client may not set them (a forged {@code x-redrive-group} would hide a message from every
     * other group), and redrive strips them before it appends a message again (docs/limits.md).
     */
    static final Set<String> BROKER_HEADERS = Set.of("x-original-topic", "x-original-offset", "x-original-id", "x-group",
            "x-delivery-count", "x-dead-letter-reason", "x-first-failure-at", "x-last-error", REDRIVE_HEADER);

    /** Appender stores a batch in a topic, making the topic if need be: the Router's append. */
    interface Appender {
        CompletionStage<List<Message>> append(TopicName topic, List<NewMessage> batch);
    }

    private final Appender appender;

    DeadLetters(Appender appender) {
        this.appender = appender;
    }

    /** topicOf names the dead letter topic of {@code topic}. */
    static TopicName topicOf(TopicName topic) {
        return TopicName.of(TopicName.DEAD_LETTER_PREFIX + topic.value());
    }

    /** letter is the dead letter of message {@code m} of {@code topic}, after its attempts in {@code group}. */
    static NewMessage letter(TopicName topic, GroupName group, Message m, Attempts a, long now) {
        Map<String, String> headers = new LinkedHashMap<>(m.headers());
        // A dead letter is due at once and never expires; its key was the original publish's (docs/scheduled-and-idempotent.md).
        headers.keySet().removeAll(Scheduled.HEADERS);
        headers.put("x-original-topic", topic.value());
        headers.put("x-original-offset", Long.toString(m.offset()));
        headers.put("x-original-id", m.id().toString());
        headers.put("x-group", group.value());
        headers.put("x-delivery-count", Integer.toString(a.deliveries));
        headers.put("x-dead-letter-reason", a.lastReason);
        headers.put("x-first-failure-at", Timestamps.format(a.firstFailureAt < 0 ? now : a.firstFailureAt));
        if (a.lastError != null) {
            headers.put("x-last-error", a.lastError);
        }
        return new NewMessage(m.data(), headers);
    }

    /** reason is why a dead letter was made, as its header says. */
    static String reason(NewMessage letter) {
        return letter.headers().get("x-dead-letter-reason");
    }

    /** store appends a dead letter of {@code topic} to {@code dlq.{topic}}. */
    CompletionStage<List<Message>> store(TopicName topic, NewMessage letter) {
        try {
            return appender.append(topicOf(topic), List.of(letter));
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** isLetterOf says a message of a dead letter topic came from {@code topic} in {@code group}. */
    static boolean isLetterOf(Message m, TopicName topic, GroupName group) {
        return group.value().equals(m.headers().get("x-group")) && topic.value().equals(m.headers().get("x-original-topic"));
    }

    /** redriven is a dead letter on its way back to its topic, for its group alone: the provenance headers are dropped. */
    static NewMessage redriven(Message letter, GroupName group) {
        Map<String, String> headers = new LinkedHashMap<>();
        letter.headers().forEach((k, v) -> {
            if (!BROKER_HEADERS.contains(k) && !Scheduled.HEADERS.contains(k)) {
                headers.put(k, v);
            }
        });
        headers.put(REDRIVE_HEADER, group.value());
        return new NewMessage(letter.data(), headers);
    }

    /** isForAnotherGroup says a redriven message is meant for a group other than {@code group}, which skips it. */
    static boolean isForAnotherGroup(Message m, GroupName group) {
        String redrivenFor = m.headers().get(REDRIVE_HEADER);
        return redrivenFor != null && !redrivenFor.equals(group.value());
    }
}
