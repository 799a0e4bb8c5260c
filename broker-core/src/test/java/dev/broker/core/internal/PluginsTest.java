package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.core.Settings;
import dev.broker.core.StartupException;
import dev.broker.spi.BrokerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PluginsTest runs discovery in broker-core's own test run, where the memory store is the only plugin. */
class PluginsTest {

    private static StartupException select(Map<String, String> env) {
        BrokerConfig config = Settings.fromEnvironment(env);
        return assertThrows(StartupException.class, () -> Plugins.select(ModuleLayer.boot(), config));
    }

    @Test
    void withoutATransportStartUpStops() {
        StartupException e = select(Map.of());
        assertTrue(e.getMessage().startsWith("no transport plugin is installed"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void memoryStoreIsFoundSoOnlyTheTransportIsMissing() {
        for (Map<String, String> env : java.util.List.of(Map.of("STORE", "memory"),
                Map.of("PERSISTENCE_ENABLED", "false"), Map.of("PERSISTENCE_ENABLED", "false", "STORE", "memory"))) {
            StartupException e = select(env);
            assertTrue(e.getMessage().startsWith("no transport plugin is installed"), env + ": " + e.getMessage());
        }
    }

    @Test
    void missingStoreAskedForByNameIsNamed() {
        StartupException e = select(Map.of("STORE", "mvstore", "PERSISTENCE_ENABLED", "true"));
        assertTrue(e.getMessage().startsWith("STORE=mvstore "), e.getMessage());
        assertTrue(e.getMessage().contains("'mvstore', which is not installed"), e.getMessage());
        assertTrue(e.getMessage().contains("installed: memory"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void missingTransportAskedForByNameStopsStartUp() {
        StartupException e = select(Map.of("PERSISTENCE_ENABLED", "false", "TRANSPORTS", "http"));
        assertTrue(e.getMessage().startsWith("no transport plugin is installed"), e.getMessage());
    }
}
