package dev.broker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MainTest runs the command line as an operator would, without a transport installed. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsTheOptionsAndSucceeds() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(out().contains("--port"), out());
        assertTrue(out().contains("[PORT]"), out());
        assertEquals("", err());
    }

    @Test
    void badSettingPrintsOneLineAndExitsWithStatus2() {
        assertEquals(2, run(Map.of("PORT", "abc")));
        assertTrue(err().startsWith("broker: PORT (--port) is 'abc' but must be "), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals("", out());
    }

    @Test
    void unknownFlagExitsWithStatus2() {
        assertEquals(2, run(Map.of(), "--bogus"));
        assertTrue(err().startsWith("broker: "), err());
        assertTrue(err().contains("--help"), err());
    }

    @Test
    void startUpFailurePrintsOneLineAndExitsWithStatus1() {
        assertEquals(1, run(Map.of("PERSISTENCE_ENABLED", "false", "PORT", "0")));
        assertTrue(err().startsWith("broker: no transport plugin is installed"), err());
        assertEquals(1, err().lines().count(), err());
    }
}
