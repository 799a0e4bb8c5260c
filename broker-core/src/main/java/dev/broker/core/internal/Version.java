package dev.broker.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Version is the broker's version, as the build wrote it into {@code version.properties}. */
final class Version {
    /** CURRENT is this build's version, or {@code unknown} where the resource is missing. */
    static final String CURRENT = read();

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/dev/broker/core/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
