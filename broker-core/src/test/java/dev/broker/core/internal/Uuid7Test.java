package dev.broker.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class Uuid7Test {
    private static final long NOW = 1_714_564_800_000L; // 2024-05-01T12:00:00Z

    private final Uuid7 ids = new Uuid7();

    private static long millisOf(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }

    private static void assertIncreasing(List<UUID> list) {
        for (int i = 1; i < list.size(); i++) {
            UUID before = list.get(i - 1);
            UUID after = list.get(i);
            assertTrue(before.compareTo(after) < 0, "id " + i + ": " + before + " then " + after);
            // Ids sort by time as text too, as a client sees them in JSON.
            assertTrue(before.toString().compareTo(after.toString()) < 0, "id " + i + ": " + before + " then " + after);
        }
    }

    @Test
    void isVersion7WithTheRfcVariant() {
        for (int i = 0; i < 1000; i++) {
            UUID id = ids.next(NOW + i / 10);
            assertEquals(7, id.version(), id.toString());
            assertEquals(2, id.variant(), id.toString()); // the bits 10
            assertEquals(0b10, id.getLeastSignificantBits() >>> 62, id.toString());
            assertEquals('7', id.toString().charAt(14), id.toString());
        }
    }

    @Test
    void carriesTheMillisecondItWasMadeAt() {
        assertEquals(NOW, millisOf(ids.next(NOW)));
        assertEquals(NOW + 5, millisOf(ids.next(NOW + 5)));
        assertEquals(0x0000_FFFF_FFFF_FFFFL, millisOf(new Uuid7().next(0x0000_FFFF_FFFF_FFFFL)));
    }

    @Test
    void strictlyIncreasingWithinOneMillisecond() {
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) { // far more than the 12-bit counter holds
            made.add(ids.next(NOW));
        }
        assertIncreasing(made);
        assertEquals(made.size(), new HashSet<>(made).size());
        assertEquals(NOW, millisOf(made.get(0)));
        // Borrowing later milliseconds keeps them close to the real time.
        assertTrue(millisOf(made.get(made.size() - 1)) - NOW <= 20_000 / 2048 + 1, made.get(made.size() - 1).toString());
    }

    @Test
    void strictlyIncreasingWhenTheClockGoesBack() {
        List<UUID> made = new ArrayList<>();
        made.add(ids.next(NOW));
        made.add(ids.next(NOW - 1));
        made.add(ids.next(NOW - 60_000));
        made.add(ids.next(NOW - 60_000));
        made.add(ids.next(NOW + 1));
        made.add(ids.next(NOW));
        for (int i = 0; i < 10_000; i++) {
            made.add(ids.next(NOW - i));
        }
        assertIncreasing(made);
    }

    @Test
    void strictlyIncreasingAcrossMilliseconds() {
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            made.add(ids.next(NOW + i / 3));
        }
        assertIncreasing(made);
    }

    @Test
    void uniqueAcrossThreads() throws Exception {
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    seen.add(ids.next(NOW));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(40_000, seen.size());
    }
}
