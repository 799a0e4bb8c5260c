package dev.broker.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LostAndDuplicatedTest runs the whole tool against a {@link FakeBroker} that loses one message
 * and delivers another twice on purpose: the tool must say exactly that, and fail.
 */
class LostAndDuplicatedTest {
    @TempDir
    Path temp;

    @Test
    void oneDroppedAndOneDuplicatedMessageAreReportedAndFailTheRun() throws Exception {
        try (FakeBroker broker = new FakeBroker(Set.of(17L), Set.of(31L), 0)) {
            Path json = temp.resolve("report.json");
            ArgumentsTest.Result r = ArgumentsTest.run("--url", broker.url().toString(), "--concurrent", "4", "--messages", "100",
                    "--consumers", "2", "--drain", "1s", "--json", json.toString());
            assertEquals(1, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("\nlost          1\n"), r.out());
            assertTrue(r.out().contains("\nduplicated    1\n"), r.out());
            assertTrue(r.out().contains("published     100 messages"), r.out());
            assertTrue(r.out().contains("result        FAILED: 1 lost"), r.out());
            String report = Files.readString(json);
            assertTrue(report.contains("\"lost\":1,\"duplicated\":1,"), report);
            assertTrue(report.contains("\"ok\":false"), report);
            assertEquals(100, broker.stored());
        }
    }

    @Test
    void batchPublishesAndManualAcksAreCountedTheSameWay() throws Exception {
        try (FakeBroker broker = new FakeBroker(Set.of(0L), Set.of(99L), 0)) {
            ArgumentsTest.Result r = ArgumentsTest.run("--url", broker.url().toString(), "--concurrent", "2", "--messages", "100",
                    "--batch", "10", "--ack", "manual", "--consumers", "1", "--drain", "1s");
            assertEquals(1, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("(10 requests,"), r.out());
            assertTrue(r.out().contains("\nlost          1\n"), r.out());
            assertTrue(r.out().contains("\nduplicated    1\n"), r.out());
            assertEquals(100, broker.acked(), "99 messages acked, one of them twice");
        }
    }

    @Test
    void aBrokerThatLosesNothingPassesWithoutWaitingForTheDrain() throws Exception {
        try (FakeBroker broker = new FakeBroker(Set.of(), Set.of(), 0)) {
            long began = System.nanoTime();
            ArgumentsTest.Result r = ArgumentsTest.run("--url", broker.url().toString(), "--concurrent", "3", "--messages", "200",
                    "--drain", "60s");
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("\nlost          0\nduplicated    0\n"), r.out());
            assertTrue(r.out().contains("result        ok"), r.out());
            assertTrue(System.nanoTime() - began < 30_000_000_000L, "the run waited for the drain though every message came back");
        }
    }

    @Test
    void openLoopLatencyRunsFromTheScheduleSoAStallShowsInEveryMessageItDelayed() throws Exception {
        // 50 messages due 10 ms apart; the first publish takes 600 ms. Measured from the schedule,
        // every message due during the stall waited: the median is hundreds of milliseconds. (Measured
        // from the actual send, as a closed loop does, only the first would show it.)
        try (FakeBroker broker = new FakeBroker(Set.of(), Set.of(), 600)) {
            Path json = temp.resolve("open-loop.json");
            ArgumentsTest.Result r = ArgumentsTest.run("--url", broker.url().toString(), "--concurrent", "1", "--messages", "50",
                    "--rate", "100", "--consumers", "0", "--json", json.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            Matcher p50 = Pattern.compile("\"publish\":\\{\"count\":50,\"p50\":([0-9.]+)").matcher(Files.readString(json));
            assertTrue(p50.find(), Files.readString(json));
            assertTrue(Double.parseDouble(p50.group(1)) > 200, "median publish latency " + p50.group(1) + " ms hides the stall");
        }
    }
}
