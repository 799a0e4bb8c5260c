package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CrashIT kills the broker with SIGKILL while clients publish and ack, restarts it on the same
 * DATA_DIR, and checks that every publish answered 2xx is there exactly once and in order, and that
 * every answered ack holds.
 */
class CrashIT {
    private static final int PUBLISHERS = 4;
    private static final Pattern ITEM = Pattern.compile(
            "\"data\":\\{\"p\":(\\d+),\"i\":(\\d+)\\},\"headers\":\\{\\},\"timestamp\":\"[^\"]+\",\"retryCount\":\\d+,\"offset\":(\\d+)");

    @TempDir
    Path data;

    @ParameterizedTest(name = "killed after {0} ms")
    @ValueSource(ints = {300, 900, 2000})
    void aKillLosesNoAnsweredPublishAndNoAnsweredAck(int killAfterMillis) throws Exception {
        Map<String, String> env = Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", data.toString(), "MAX_QUEUE_SIZE", "1000000");
        RunningImage broker = RunningImage.start(RunningImage.image(), env);
        URI base = broker.base();
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, List<Integer>> answered = new ConcurrentHashMap<>();
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int publisher = p;
            answered.put(p, java.util.Collections.synchronizedList(new ArrayList<>()));
            threads.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        HttpResponse<String> r = Http.post(base, "publish/crash.t", "{\"p\":" + publisher + ",\"i\":" + i + "}");
                        if (r.statusCode() == 201) {
                            answered.get(publisher).add(i);
                        }
                    } catch (Exception gone) {
                        return;
                    }
                }
            }));
        }
        threads.add(new Thread(() -> {
            while (!stop.get()) {
                try {
                    HttpResponse<String> r = Http.get(base, "consume/crash.t/batch?group=c&ack=manual&limit=20&wait=1s");
                    List<Long> offsets = Http.offsets(r.body());
                    List<String> receipts = Http.receipts(r.body());
                    if (receipts.isEmpty()) {
                        continue;
                    }
                    HttpResponse<String> ack = Http.post(base, "ack/crash.t?group=c",
                            "{\"receipts\":[\"" + String.join("\",\"", receipts) + "\"]}");
                    if (ack.statusCode() == 200 && ack.body().contains("\"stale\":[]")) {
                        acked.addAll(offsets);
                    }
                } catch (Exception gone) {
                    return;
                }
            }
        }));
        threads.forEach(Thread::start);
        Thread.sleep(killAfterMillis);
        broker.process.destroyForcibly(); // SIGKILL: no shutdown hook, no final commit
        broker.process.waitFor();
        stop.set(true);
        for (Thread t : threads) {
            t.join(60_000);
        }
        int total = answered.values().stream().mapToInt(List::size).sum();
        assertTrue(total > 0, "nothing was published before the kill:\n" + broker.output());

        try (RunningImage restarted = RunningImage.start(RunningImage.image(), env)) {
            URI again = restarted.base();
            // Every stored message, by browsing (which neither leases nor finishes).
            Map<Integer, List<Integer>> stored = new HashMap<>();
            Map<Long, String> byOffset = new HashMap<>();
            long from = 0;
            while (true) {
                String body = Http.get(again, "topics/crash.t/messages?from=" + from + "&limit=1000").body();
                Matcher m = ITEM.matcher(body);
                int n = 0;
                while (m.find()) {
                    int p = Integer.parseInt(m.group(1));
                    stored.computeIfAbsent(p, k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
                    long offset = Long.parseLong(m.group(3));
                    assertFalse(byOffset.containsKey(offset), "offset " + offset + " twice");
                    byOffset.put(offset, m.group(1) + "/" + m.group(2));
                    from = offset + 1;
                    n++;
                }
                if (n == 0) {
                    break;
                }
            }
            for (int p = 0; p < PUBLISHERS; p++) {
                List<Integer> got = stored.getOrDefault(p, List.of());
                assertEquals(new HashSet<>(got).size(), got.size(), "publisher " + p + " has a message twice");
                for (int i = 1; i < got.size(); i++) {
                    assertTrue(got.get(i - 1) < got.get(i), "publisher " + p + " out of order");
                }
                Set<Integer> kept = new HashSet<>(got);
                for (int i : answered.get(p)) {
                    assertTrue(kept.contains(i), "publisher " + p + " message " + i + " was answered 201 but is lost");
                }
            }
            // Every answered ack holds: the group never gets those offsets again.
            Set<Long> redelivered = new HashSet<>();
            while (true) {
                List<Long> offsets = Http.offsets(Http.get(again, "consume/crash.t/batch?group=c&limit=1000").body());
                if (offsets.isEmpty()) {
                    break;
                }
                redelivered.addAll(offsets);
            }
            redelivered.retainAll(acked);
            assertEquals(Set.of(), redelivered, "acked messages were handed out again after the restart");
            System.out.printf("[crash] killed after %d ms: %d publishes answered, %d stored, %d acks answered%n",
                    killAfterMillis, total, byOffset.size(), acked.size());
        }
    }
}
