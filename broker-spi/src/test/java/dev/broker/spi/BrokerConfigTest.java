package dev.broker.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.spi.BrokerConfig.FsyncPolicy;
import dev.broker.spi.BrokerConfig.OverflowPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {
    private static final BrokerConfig D = BrokerConfig.defaults();

    @Test
    void defaultsAreThoseOfTheSpec() {
        assertEquals(8080, D.port());
        assertTrue(D.persistenceEnabled());
        assertEquals(Duration.ofHours(24), D.retention());
        assertEquals(1_048_576, D.maxMessageSize());
        assertEquals(10_000, D.maxQueueSize());
        assertEquals(Path.of("./data").normalize(), D.dataDir().normalize());
        assertEquals(1000, D.maxBatchSize());
        assertEquals(Duration.ofSeconds(30), D.ackTimeout());
        assertEquals(5, D.maxDeliveries());
        assertEquals(OverflowPolicy.REJECT, D.overflowPolicy());
        assertEquals(FsyncPolicy.INTERVAL, D.fsync());
        assertEquals(Optional.empty(), D.store());
        assertEquals(Set.of(), D.transports());
    }

    @Test
    void withPortChangesOnlyThePort() {
        BrokerConfig c = D.withPort(0);
        assertEquals(0, c.port());
        assertEquals(D, c.withPort(8080));
    }

    private static void refused(String variable, Supplier<BrokerConfig> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().startsWith(variable + " "), e.getMessage());
    }

    @Test
    void outOfRangeValueIsRefusedNamingItsVariable() {
        refused("PORT", () -> D.withPort(-1));
        refused("PORT", () -> D.withPort(65536));
        refused("RETENTION_HOURS", () -> new BrokerConfig(1, true, Duration.ZERO, 1, 1, Path.of("d"), 1,
                Duration.ofSeconds(1), 1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 16));
        refused("MAX_MESSAGE_SIZE", () -> new BrokerConfig(1, true, Duration.ofHours(1), 0, 1, Path.of("d"), 1,
                Duration.ofSeconds(1), 1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 16));
        refused("MAX_QUEUE_SIZE", () -> new BrokerConfig(1, true, Duration.ofHours(1), 1, 0, Path.of("d"), 1,
                Duration.ofSeconds(1), 1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 16));
        refused("MAX_BATCH_SIZE", () -> new BrokerConfig(1, true, Duration.ofHours(1), 1, 1, Path.of("d"), 0,
                Duration.ofSeconds(1), 1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 16));
        refused("ACK_TIMEOUT", () -> new BrokerConfig(1, true, Duration.ofHours(1), 1, 1, Path.of("d"), 1,
                Duration.ofNanos(999_999), 1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 16));
        refused("MAX_DELIVERIES", () -> new BrokerConfig(1, true, Duration.ofHours(1), 1, 1, Path.of("d"), 1,
                Duration.ofSeconds(1), 0, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 16));
        refused("STORE_CACHE_MB", () -> new BrokerConfig(1, true, Duration.ofHours(1), 1, 1, Path.of("d"), 1,
                Duration.ofSeconds(1), 1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), Set.of(), 0));
    }

    @Test
    void transportsAreCopied() {
        Set<String> asked = new HashSet<>(Set.of("http"));
        BrokerConfig c = new BrokerConfig(1, true, Duration.ofHours(1), 1, 1, Path.of("d"), 1, Duration.ofSeconds(1),
                1, OverflowPolicy.REJECT, FsyncPolicy.NEVER, Optional.empty(), asked, 16);
        asked.add("websocket");
        assertEquals(Set.of("http"), c.transports());
        assertThrows(UnsupportedOperationException.class, () -> c.transports().add("x"));
    }
}
