package dev.broker.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RunningImage is the broker started from the built image as a child process, on a port it picks
 * itself (PORT 0), as an operator would start it. Closing it stops the process.
 */
final class RunningImage implements AutoCloseable {
    private static final Pattern HTTP = Pattern.compile("http://[^:]+:(\\d+)/");

    final Process process;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;

    private RunningImage(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** image is the image the build made, as failsafe passes it. */
    static Path image() {
        return Path.of(System.getProperty("broker.image", "target/broker"));
    }

    /** launch runs bin/broker of an image with arguments and extra environment; it does not wait. */
    static RunningImage launch(Path image, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(image.resolve("bin/broker").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PERSISTENCE_ENABLED", "false");
        pb.environment().putAll(env);
        return new RunningImage(pb.start());
    }

    /** start launches the image on a free port and waits until it says it serves. */
    static RunningImage start(Path image, Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--port", "0"));
        all.addAll(List.of(args));
        RunningImage running = launch(image, env, all.toArray(String[]::new));
        running.awaitOutput("started in", 60);
        return running;
    }

    /** base is the HTTP address of the running broker, on the loopback interface. */
    URI base() {
        Matcher m = HTTP.matcher(output());
        if (!m.find()) {
            throw new IllegalStateException("the broker did not say where it serves:\n" + output());
        }
        return URI.create("http://127.0.0.1:" + m.group(1) + "/");
    }

    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    void awaitOutput(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (output) {
            while (output.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && output.indexOf(text) < 0 && !reader.isAlive()) {
                    throw new IllegalStateException("the broker did not print '" + text + "':\n" + output);
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000L))));
            }
        }
    }

    /** exitCode waits for the process to end by itself. */
    int exitCode(int seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the broker did not exit:\n" + output());
        }
        reader.join(5000);
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        reader.join(5000);
    }
}
