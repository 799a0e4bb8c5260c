package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoadTestIT runs the image's {@code bin/broker-load-test} against the image's broker, as the
 * seed's README does, for a few seconds: every message answered 2xx must come back once.
 */
class LoadTestIT {

    @Test
    void imageShipsTheLoadTestAndTheJdkModuleItNeeds() throws Exception {
        Path image = RunningImage.image();
        assertTrue(Files.isExecutable(image.resolve("bin/broker-load-test")));
        String release = Files.readString(image.resolve("release"));
        assertTrue(release.contains("java.management"),
                "the runtime lacks java.management, which the load test's CPU report needs:\n" + release);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "ws"})
    void theSeedsLoadTestRunsAgainstTheImageAndLosesNothing(String transport) throws Exception {
        try (RunningImage broker = RunningImage.start(RunningImage.image(), Map.of("PERSISTENCE_ENABLED", "false"))) {
            String base = broker.base().toString();
            Tool run = Tool.run("--url", base, "--transport", transport, "--concurrent", "8", "--messages", "2000");
            assertEquals(0, run.status, run.output);
            assertTrue(run.output.contains("published     2000 messages"), run.output);
            assertTrue(run.output.contains("\nlost          0\n"), run.output);
            assertTrue(run.output.contains("\nduplicated    0\n"), run.output);
            assertTrue(run.output.contains("result        ok"), run.output);
        }
    }

    @Test
    void aBadArgumentGetsOneLineAndStatus2() throws Exception {
        Tool run = Tool.run("--transport", "smtp");
        assertEquals(2, run.status, run.output);
        assertEquals(List.of("broker-load-test: Invalid value for option '--transport': 'smtp' is not a transport: use http or ws",
                "Try 'broker-load-test --help' for the options."), run.output.lines().toList());
    }

    /** Tool is one finished run of bin/broker-load-test, its output and error interleaved. */
    record Tool(int status, String output) {
        static Tool run(String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(RunningImage.image().resolve("bin/broker-load-test").toString()));
            command.addAll(List.of(args));
            Path output = Files.createTempFile("load-test", ".out");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new IllegalStateException("the load test did not finish:\n" + Files.readString(output));
                }
                return new Tool(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }
}
