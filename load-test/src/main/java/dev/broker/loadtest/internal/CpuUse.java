package dev.broker.loadtest.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.ContentResponse;

/**
 * CpuUse is the CPU time spent while the publishers ran: the tool's own (the whole process, and
 * its busiest thread), and the broker's, read from the {@code process_cpu_seconds_total} metric of
 * its {@code /metrics} when it serves one. With both, a run shows whether the broker or the tool
 * was the one working: a client thread busy nearly all the time means the tool set the pace.
 *
 * @param wallSeconds         how long the publishers ran
 * @param toolSeconds         CPU seconds the tool's process spent
 * @param busiestThread       the name of the tool's thread that spent the most CPU
 * @param busiestShare        that thread's CPU time over {@code wallSeconds} (1 is a thread busy all the time)
 * @param brokerSeconds       CPU seconds the broker's process spent, if its metrics say
 */
record CpuUse(double wallSeconds, double toolSeconds, String busiestThread, double busiestShare, OptionalDouble brokerSeconds) {
    private static final Pattern BROKER_CPU = Pattern.compile("(?m)^process_cpu_seconds_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)$");
    private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(5);

    /** toolCores is how many of the machine's cores the tool kept busy on average. */
    double toolCores() {
        return wallSeconds > 0 ? toolSeconds / wallSeconds : 0;
    }

    /** Sample is the counters at one moment; {@link #until} turns two into a CpuUse. */
    record Sample(long wallNanos, long processNanos, Map<Long, Long> threadNanos, OptionalDouble brokerSeconds) {
        /** until is the CPU spent from this sample to {@code end}. */
        CpuUse until(Sample end) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long busiest = -1;
            long busiestNanos = 0;
            for (Map.Entry<Long, Long> e : end.threadNanos.entrySet()) {
                long spent = e.getValue() - threadNanos.getOrDefault(e.getKey(), 0L);
                if (spent > busiestNanos) {
                    busiest = e.getKey();
                    busiestNanos = spent;
                }
            }
            ThreadInfo info = busiest < 0 ? null : threads.getThreadInfo(busiest);
            double wall = (end.wallNanos - wallNanos) / 1e9;
            OptionalDouble broker = brokerSeconds.isPresent() && end.brokerSeconds.isPresent()
                    ? OptionalDouble.of(end.brokerSeconds.getAsDouble() - brokerSeconds.getAsDouble()) : OptionalDouble.empty();
            return new CpuUse(wall, (end.processNanos - processNanos) / 1e9, info == null ? "?" : info.getThreadName(),
                    wall > 0 ? busiestNanos / 1e9 / wall : 0, broker);
        }
    }

    /** sample reads the counters now; the broker's from {@code metrics}, if it answers. */
    static Sample sample(Clients clients, URI metrics) {
        OptionalDouble broker = brokerSeconds(clients, metrics);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> byThread = new HashMap<>();
        if (threads.isThreadCpuTimeSupported()) {
            for (long id : threads.getAllThreadIds()) {
                long t = threads.getThreadCpuTime(id);
                if (t >= 0) {
                    byThread.put(id, t);
                }
            }
        }
        long process = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        return new Sample(System.nanoTime(), process, byThread, broker);
    }

    private static OptionalDouble brokerSeconds(Clients clients, URI metrics) {
        try {
            ContentResponse r = clients.http().newRequest(metrics).timeout(METRICS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).send();
            if (r.getStatus() != 200) {
                return OptionalDouble.empty();
            }
            Matcher m = BROKER_CPU.matcher(r.getContentAsString());
            return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
        } catch (Exception e) {
            // No metrics plugin, or a broker behind a proxy that hides /metrics: the report says "not known".
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return OptionalDouble.empty();
        }
    }

    /** perMessageMicros is {@code seconds} of CPU shared over {@code messages}, in microseconds. */
    static Optional<Double> perMessageMicros(double seconds, long messages) {
        return messages > 0 ? Optional.of(seconds * 1e6 / messages) : Optional.empty();
    }
}
