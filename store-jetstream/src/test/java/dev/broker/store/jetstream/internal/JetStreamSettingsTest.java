package dev.broker.store.jetstream.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.broker.spi.StoreSettingException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JetStreamSettingsTest {
    @Test
    void serversAreACommaListAndReplicasDefaultToOne() throws Exception {
        JetStreamSettings s = JetStreamSettings.of(Map.of("NATS_URL", "nats://a:4222, tls://b:4223"));
        assertEquals(List.of("nats://a:4222", "tls://b:4223"), s.servers());
        assertEquals(1, s.replicas());
        assertEquals(3, JetStreamSettings.of(Map.of("NATS_URL", "nats://a", "JETSTREAM_REPLICAS", "3")).replicas());
    }

    @Test
    void eachBadSettingIsOneLineNamingIt() {
        assertMessage(Map.of(), "NATS_URL is not set");
        assertMessage(Map.of("NATS_URL", "http://a:4222"), "NATS_URL holds 'http://a:4222'");
        assertMessage(Map.of("NATS_URL", "nats://a,"), "NATS_URL holds ''");
        assertMessage(Map.of("NATS_URL", "nats://a", "JETSTREAM_REPLICAS", "0"), "JETSTREAM_REPLICAS is '0'");
        assertMessage(Map.of("NATS_URL", "nats://a", "JETSTREAM_REPLICAS", "6"), "JETSTREAM_REPLICAS is '6'");
        assertMessage(Map.of("NATS_URL", "nats://a", "NATS_USER", "u"), "NATS_USER and NATS_PASSWORD go together");
        assertMessage(Map.of("NATS_URL", "nats://a", "NATS_CREDS", "/no/such.creds"), "NATS_CREDS names /no/such.creds");
    }

    private static void assertMessage(Map<String, String> env, String start) {
        StoreSettingException e = assertThrows(StoreSettingException.class, () -> JetStreamSettings.of(env));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
