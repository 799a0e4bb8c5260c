package dev.broker.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DiskFullIT runs the broker on a small tmpfs it mounts for itself, fills the disk, and checks
 * that publishes get 503, /health reports DOWN, nothing stored is damaged, and the broker recovers
 * by itself once there is room again. Skipped, saying so, where the test may not mount a tmpfs.
 */
class DiskFullIT {
    @TempDir
    Path temp;
    private Path mount;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = temp.resolve("small-disk");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor() == 0;
        if (!mounted) {
            System.out.println("[disk-full] SKIPPED: cannot mount a tmpfs here (" + out.trim() + "); run as root to test disk-full behaviour");
        }
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here: " + out.trim());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
        }
    }

    @Test
    void aFullDiskRefusesPublishesAndTheBrokerRecoversWhenThereIsRoomAgain() throws Exception {
        Path data = mount.resolve("data");
        Map<String, String> env = Map.of("PERSISTENCE_ENABLED", "true", "DATA_DIR", data.toString(), "FSYNC", "always",
                "MAX_QUEUE_SIZE", "1000000");
        String payload = "\"" + "x".repeat(20_000) + "\"";
        try (RunningImage broker = RunningImage.start(RunningImage.image(), env)) {
            URI base = broker.base();
            for (int i = 0; i < 5; i++) {
                assertEquals(201, Http.post(base, "publish/before.full", "{\"i\":" + i + "}").statusCode());
            }
            Path filler = mount.resolve("filler");
            fill(filler);

            HttpResponse<String> refused = null;
            for (int i = 0; i < 500 && refused == null; i++) {
                HttpResponse<String> r = Http.post(base, "publish/while.full", payload);
                if (r.statusCode() != 201) {
                    refused = r;
                }
            }
            assertTrue(refused != null, "the disk never filled up");
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("urn:broker:error:store-unavailable"), refused.body());
            HttpResponse<String> health = Http.get(base, "health");
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"DOWN\""), health.body());
            assertEquals(503, Http.post(base, "publish/while.full", "1").statusCode());

            Files.delete(filler);
            int status = 0;
            for (int i = 0; i < 100 && status != 201; i++) {
                Thread.sleep(200);
                status = Http.post(base, "publish/after.full", "{\"back\":true}").statusCode();
            }
            assertEquals(201, status, "the broker did not recover by itself once the disk had room");
            assertEquals(200, Http.get(base, "health").statusCode());
        }
        try (RunningImage restarted = RunningImage.start(RunningImage.image(), env)) {
            String before = Http.get(restarted.base(), "topics/before.full/messages?limit=10").body();
            for (int i = 0; i < 5; i++) {
                assertTrue(before.contains("{\"i\":" + i + "}"), "message " + i + " was damaged by the full disk: " + before);
            }
            assertTrue(Http.get(restarted.base(), "topics/after.full/messages").body().contains("{\"back\":true}"));
            System.out.println("[disk-full] refused with 503 when full, recovered by itself, nothing lost");
        }
    }

    private static void fill(Path filler) {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // the disk is full now
        }
    }
}
