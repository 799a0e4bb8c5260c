package dev.broker.core.internal;

import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.SharedStore;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * SharedCore is what the core gives a shared store (docs/jetstream.md): the core's message ids, its
 * dead letters' headers (those of {@link DeadLetters}, docs/decisions/0006-groups-and-dead-letters.md)
 * and the settings of a group made by its first use. Thread-safe.
 */
final class SharedCore implements SharedStore.Core {
    private final BrokerConfig config;
    private final Uuid7 ids = new Uuid7();

    SharedCore(BrokerConfig config) {
        this.config = config;
    }

    @Override
    public UUID newId() {
        return ids.next(System.currentTimeMillis());
    }

    @Override
    public NewMessage deadLetter(TopicName topic, GroupName group, Message m, int deliveries, String reason,
                                 Instant firstFailureAt, Optional<String> lastError) {
        Attempts a = new Attempts();
        a.deliveries = deliveries;
        a.failed(firstFailureAt.toEpochMilli(), reason, lastError.orElse(null));
        return DeadLetters.letter(topic, group, m, a, firstFailureAt.toEpochMilli());
    }

    @Override
    public GroupSettings defaults() {
        return new GroupSettings(StartFrom.EARLIEST, config.ackTimeout(), config.maxDeliveries());
    }
}
