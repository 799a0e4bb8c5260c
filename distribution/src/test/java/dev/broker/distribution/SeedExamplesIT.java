package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SeedExamplesIT runs the seed README's curl examples, as written, with the real curl against the
 * broker started from the image.
 */
class SeedExamplesIT {
    private static RunningImage broker;

    @BeforeAll
    static void start() throws Exception {
        broker = RunningImage.start(RunningImage.image(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    /** curl runs curl with the seed's arguments, its localhost:8080 replaced by the broker's address. */
    private static String curl(String... args) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed: the seed examples are skipped");
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-w", "\n%{http_code}"));
        for (String a : args) {
            command.add(a.replace("http://localhost:8080/", broker.base().toString()));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static int status(String curlOutput) {
        return Integer.parseInt(curlOutput.substring(curlOutput.lastIndexOf('\n') + 1).trim());
    }

    @Test
    void publishBatchConsumeAndBatchConsumeAsInTheSeed() throws Exception {
        String single = curl("-X", "POST", "http://localhost:8080/publish/user.events",
                "-H", "Content-Type: application/json",
                "-d", """
                        {
                            "userId": 123,
                            "action": "login",
                            "timestamp": "2023-01-01T00:00:00Z"
                          }""");
        assertEquals(201, status(single), single);
        assertTrue(single.contains("\"topic\":\"user.events\"") && single.contains("\"offset\":0"), single);

        String batch = curl("-X", "POST", "http://localhost:8080/publish/batch/user.events",
                "-H", "Content-Type: application/json",
                "-d", """
                        [
                            {"userId": 123, "action": "login"},
                            {"userId": 124, "action": "logout"}
                          ]""");
        assertEquals(201, status(batch), batch);
        assertTrue(batch.contains("\"count\":2"), batch);

        String one = curl("http://localhost:8080/consume/user.events");
        assertEquals(200, status(one), one);
        assertTrue(one.contains("\"userId\": 123") && one.contains("\"retryCount\":0") && one.contains("\"offset\":0"), one);

        String many = curl("http://localhost:8080/consume/user.events/batch?limit=10");
        assertEquals(200, status(many), many);
        assertTrue(many.startsWith("[") && many.contains("\"offset\":1") && many.contains("\"offset\":2")
                && many.contains("\"action\": \"logout\""), many);

        String none = curl("http://localhost:8080/consume/user.events");
        assertEquals(204, status(none), none);
    }

    @Test
    void errorsAreProblemJsonWithStableCodes() throws Exception {
        String badTopic = curl("-X", "POST", "http://localhost:8080/publish/user..events",
                "-H", "Content-Type: application/json", "-d", "{}");
        assertEquals(400, status(badTopic), badTopic);
        assertTrue(badTopic.contains("urn:broker:error:invalid-topic"), badTopic);

        String badJson = curl("-X", "POST", "http://localhost:8080/publish/user.events",
                "-H", "Content-Type: application/json", "-d", "{\"a\":");
        assertEquals(400, status(badJson), badJson);
        assertTrue(badJson.contains("urn:broker:error:invalid-json"), badJson);

        String unknown = curl("http://localhost:8080/no/such/path");
        assertEquals(404, status(unknown), unknown);
        assertTrue(unknown.contains("urn:broker:error:not-found"), unknown);

        String health = curl("http://localhost:8080/health");
        assertEquals(200, status(health), health);
        assertTrue(health.contains("\"status\":\"UP\""), health);
    }
}
