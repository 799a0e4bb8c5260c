package dev.broker.api;

import java.time.Duration;
import java.util.Optional;

/**
 * HealthReport is what {@code /health} shows. Immutable.
 *
 * @param up           whether the broker can take publishes now
 * @param store        the name of the store plugin in use
 * @param storeDurable whether what it holds survives a restart
 * @param storeProblem why the store cannot write, when it cannot
 * @param uptime       time since the broker started
 * @param version      the broker's version
 */
public record HealthReport(boolean up, String store, boolean storeDurable, Optional<String> storeProblem,
                           Duration uptime, String version) {
}
