package dev.broker.loadtest.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * Report is the result of a run, as text for a person and as JSON for a script. Immutable.
 *
 * @param publishSeconds  from the end of the warm-up (the start, without one) to the last publish answered 2xx
 * @param deliverySeconds from the end of the warm-up to the last message received
 * @param outcome         what became of every message of the run
 * @param measured        the counts after the warm-up, which the rates are made of
 * @param pace            in open loop, how well the publishers kept to the schedule
 * @param cpu             the CPU the tool and the broker spent while the publishers ran, after the warm-up
 */
record Report(Arguments arguments, String runId, double publishSeconds, double deliverySeconds,
              Accounting.Outcome outcome, Accounting.Measured measured, Optional<Pace> pace, Latency publish,
              Latency delivery, Map<String, Long> errors, CpuUse cpu) {
    /** A tool thread busy this share of the run or more set the pace itself. */
    static final double SATURATED_THREAD = 0.9;
    /** Timed sends later than this at the 99th percentile mean the tool could not keep its own schedule. */
    static final double LATE_TIMER_MS = 1.0;
    /** A run shorter than this without a warm-up measures two JVMs still compiling their hot paths. */
    static final double SHORT_RUN_SECONDS = 10;
    /** An open-loop run that sent less than this share of its due messages fell behind its schedule. */
    static final double BEHIND = 0.99;

    /**
     * Pace is how an open-loop run kept to its schedule: of the messages {@code due} by its end,
     * how many were {@code sent}, and how late the latest send went. A broker that cannot take the
     * rate shows here, and in latencies that grow with the lateness. {@code timerLate} is how late
     * the sends went that waited on the tool's own timer: lateness there is the tool's, not the broker's.
     */
    record Pace(double rate, long due, long sent, double maxLateMs, Latency timerLate) {
    }

    /** Latency is a latency distribution's percentiles, in milliseconds. */
    record Latency(long count, double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram nanos) {
            if (nanos.getTotalCount() == 0) {
                return new Latency(0, 0, 0, 0, 0, 0);
            }
            return new Latency(nanos.getTotalCount(), ms(nanos.getValueAtPercentile(50)), ms(nanos.getValueAtPercentile(90)),
                    ms(nanos.getValueAtPercentile(99)), ms(nanos.getValueAtPercentile(99.9)), ms(nanos.getMaxValue()));
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /** ok is true when every message answered 2xx came back exactly once (where at-most-once forbids duplicates) and some were answered. */
    boolean ok() {
        return outcome.confirmed() > 0 && outcome.lost() == 0
                && !(arguments.ack() == Arguments.Ack.AUTO && outcome.duplicated() > 0);
    }

    /** exitStatus is 0 when {@link #ok}, else 1. */
    int exitStatus() {
        return ok() ? Cli.OK : Cli.FAILED;
    }

    double publishRate() {
        return publishSeconds > 0 ? measured.confirmed() / publishSeconds : 0;
    }

    double requestRate() {
        return publishSeconds > 0 ? measured.requests() / publishSeconds : 0;
    }

    double deliveryRate() {
        return deliverySeconds > 0 ? measured.deliveries() / deliverySeconds : 0;
    }

    /** toolMicrosPerMessage is the tool's CPU per message answered 2xx after the warm-up, in microseconds. */
    Optional<Double> toolMicrosPerMessage() {
        return CpuUse.perMessageMicros(cpu.toolSeconds(), measured.confirmed());
    }

    /** brokerMicrosPerMessage is the broker's CPU per message answered 2xx after the warm-up, in microseconds, when its metrics said. */
    Optional<Double> brokerMicrosPerMessage() {
        return cpu.brokerSeconds().isPresent() ? CpuUse.perMessageMicros(cpu.brokerSeconds().getAsDouble(), measured.confirmed())
                : Optional.empty();
    }

    /**
     * warnings says where the tool, not the broker, may have set the rate or the latencies: a
     * client thread busy nearly all the time, an open-loop timer that fired late, or more CPU per
     * message in the tool than in the broker; an open-loop schedule that fell behind, where the
     * rate asked was not offered; and a run too short, without a warm-up, to be past the JIT.
     */
    List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (arguments.warmup().isZero() && publishSeconds < SHORT_RUN_SECONDS) {
            w.add(String.format(Locale.ROOT, "a %.1f s run without --warmup measures the broker and the tool while they still "
                    + "compile their hot paths; for the broker's speed run longer, such as --duration 30s --warmup 10s", publishSeconds));
        }
        if (cpu.busiestShare() >= SATURATED_THREAD) {
            w.add(String.format(Locale.ROOT, "the tool's thread %s was busy %.0f %% of the run: the tool may have set the rate, not the broker",
                    cpu.busiestThread(), 100 * cpu.busiestShare()));
        }
        pace.ifPresent(p -> {
            if (p.sent() < p.due() * BEHIND) {
                w.add(String.format(Locale.ROOT, "the schedule fell behind: %d of %d due messages were sent, every publisher "
                        + "was waiting for answers; the broker took less than the rate asked (more --concurrent or --batch offers more)",
                        p.sent(), p.due()));
            }
            if (p.timerLate().count() > 0 && p.timerLate().p99() > LATE_TIMER_MS) {
                w.add(String.format(Locale.ROOT, "the tool sent 1 %% of its timed sends %.3f ms or more after they were due: "
                        + "the latencies include the tool's own lateness", p.timerLate().p99()));
            }
        });
        Optional<Double> tool = toolMicrosPerMessage();
        Optional<Double> broker = brokerMicrosPerMessage();
        if (tool.isPresent() && broker.isPresent() && tool.get() > broker.get()) {
            w.add(String.format(Locale.ROOT, "the tool spent more CPU per message (%.1f us) than the broker (%.1f us): "
                    + "on a shared machine the tool took cores the broker could have used", tool.get(), broker.get()));
        }
        return w;
    }

    /** header is what the run is, printed before it starts. */
    static String header(Arguments a) {
        String messages = a.messages() == Arguments.UNLIMITED ? "messages" : String.format(Locale.ROOT, "%,d messages", a.messages());
        String time = a.duration().map(d -> " for up to " + d.toMillis() / 1000.0 + " s").orElse("")
                + (a.warmup().isZero() ? "" : " after a " + a.warmup().toMillis() / 1000.0 + " s warm-up");
        return String.format(Locale.ROOT, "%s: %s of %d bytes%s to topic %s at %s over %s%n"
                        + "  %d publishers, batch %d, %s; %d consumers in group %s (ack %s); %d broadcast subscribers%n",
                Cli.NAME, messages, a.size(), time, a.topic(), a.url(), a.transport().wire(), a.publishers(), a.batch(),
                a.openLoop() ? String.format(Locale.ROOT, "open loop at %,.0f msg/s", a.rate()) : "closed loop",
                a.consumers(), a.group(), a.ack().wire(), a.subscribers());
    }

    /** text is the report for a person; the labels in the first column are stable, for scripts too. */
    String text() {
        StringBuilder out = new StringBuilder();
        Accounting.Outcome o = outcome;
        if (!arguments.warmup().isZero()) {
            out.append(String.format(Locale.ROOT, "warm-up       %.1f s, not in the rates and latencies below (%d messages answered 2xx in all)%n",
                    arguments.warmup().toMillis() / 1000.0, o.confirmed()));
        }
        out.append(String.format(Locale.ROOT, "published     %d messages in %.3f s: %.0f msg/s (%d requests, %.0f requests/s, %d failed)%n",
                measured.confirmed(), publishSeconds, publishRate(), measured.requests(), requestRate(), o.failed()));
        pace.ifPresent(p -> out.append(String.format(Locale.ROOT,
                "schedule      at %.0f msg/s, %d of %d due messages sent, the latest %.3f ms late%s%n", p.rate(), p.sent(), p.due(),
                p.maxLateMs(), p.sent() < p.due() * 0.99 ? ": the broker did not keep up with --rate" : "")));
        if (o.checked()) {
            out.append(String.format(Locale.ROOT, "delivered     %d messages in %.3f s: %.0f msg/s%n",
                    measured.deliveries(), deliverySeconds, deliveryRate()));
        } else {
            out.append("delivered     not checked: no consumers and no subscribers\n");
        }
        out.append(String.format(Locale.ROOT, "latency ms    %9s %9s %9s %9s %9s %9s%n", "count", "p50", "p90", "p99", "p99.9", "max"));
        out.append(latencyLine("  publish", publish));
        if (o.checked()) {
            out.append(latencyLine("  to deliver", delivery));
        }
        out.append(String.format(Locale.ROOT, "cpu           tool %.2f s%s, %.2f cores, busiest thread %.0f %% (%s); broker %s%n",
                cpu.toolSeconds(), toolMicrosPerMessage().map(us -> String.format(Locale.ROOT, " (%.1f us a message)", us)).orElse(""),
                cpu.toolCores(), 100 * cpu.busiestShare(), cpu.busiestThread(),
                cpu.brokerSeconds().isPresent()
                        ? String.format(Locale.ROOT, "%.2f s%s", cpu.brokerSeconds().getAsDouble(), brokerMicrosPerMessage()
                                .map(us -> String.format(Locale.ROOT, " (%.1f us a message)", us)).orElse(""))
                        : "not known (no process_cpu_seconds_total at /metrics)"));
        for (String w : warnings()) {
            out.append("warning       ").append(w).append('\n');
        }
        if (errors.isEmpty()) {
            out.append("errors        none\n");
        } else {
            out.append("errors       ");
            errors.forEach((kind, n) -> out.append(' ').append(kind).append(": ").append(n).append(';'));
            out.setLength(out.length() - 1);
            out.append('\n');
        }
        if (o.checked()) {
            out.append("lost          ").append(o.lost()).append('\n');
            out.append("duplicated    ").append(o.duplicated()).append('\n');
            out.append(String.format(Locale.ROOT, "also          %d redelivered, %d received without a 2xx answer, %d of another run%n",
                    o.redelivered(), o.unconfirmedDelivered(), o.others()));
        } else {
            out.append("lost          not checked\nduplicated    not checked\n");
        }
        out.append("result        ").append(ok() ? "ok" : "FAILED: " + failure()).append('\n');
        return out.toString();
    }

    private String failure() {
        if (outcome.confirmed() == 0) {
            return "no publish was answered 2xx";
        }
        if (outcome.lost() > 0) {
            return outcome.lost() + " lost";
        }
        return outcome.duplicated() + " duplicated with ack auto";
    }

    private static String latencyLine(String label, Latency l) {
        return String.format(Locale.ROOT, "%-13s %9d %9.3f %9.3f %9.3f %9.3f %9.3f%n", label, l.count(), l.p50(), l.p90(),
                l.p99(), l.p999(), l.max());
    }

    /** json is the report as one JSON object. */
    String json() {
        Arguments a = arguments;
        Accounting.Outcome o = outcome;
        StringBuilder out = new StringBuilder("{");
        field(out, "tool", Wire.quote(Cli.NAME));
        field(out, "runId", Wire.quote(runId));
        field(out, "url", Wire.quote(a.url().toString()));
        field(out, "transport", Wire.quote(a.transport().wire()));
        field(out, "topic", Wire.quote(a.topic()));
        field(out, "group", Wire.quote(a.group()));
        field(out, "ack", Wire.quote(a.ack().wire()));
        field(out, "publishers", a.publishers());
        field(out, "consumers", a.consumers());
        field(out, "subscribers", a.subscribers());
        field(out, "batch", a.batch());
        field(out, "size", a.size());
        field(out, "rate", number(a.rate()));
        field(out, "messages", a.messages() == Arguments.UNLIMITED ? "null" : String.valueOf(a.messages()));
        field(out, "durationSeconds", a.duration().map(d -> number(d.toMillis() / 1000.0)).orElse("null"));
        field(out, "warmupSeconds", number(a.warmup().toMillis() / 1000.0));
        field(out, "answered2xx", o.confirmed());
        field(out, "published", "{\"messages\":" + measured.confirmed() + ",\"failed\":" + o.failed() + ",\"requests\":" + measured.requests()
                + ",\"seconds\":" + number(publishSeconds) + ",\"messagesPerSecond\":" + number(publishRate())
                + ",\"requestsPerSecond\":" + number(requestRate()) + "}");
        field(out, "delivered", "{\"messages\":" + measured.deliveries() + ",\"seconds\":" + number(deliverySeconds)
                + ",\"messagesPerSecond\":" + number(deliveryRate()) + "}");
        field(out, "schedule", pace.map(p -> "{\"rate\":" + number(p.rate()) + ",\"due\":" + p.due() + ",\"sent\":" + p.sent()
                + ",\"maxLateMs\":" + number(p.maxLateMs()) + ",\"timerLateMs\":" + json(p.timerLate()) + "}").orElse("null"));
        field(out, "cpu", "{\"seconds\":" + number(cpu.wallSeconds()) + ",\"toolSeconds\":" + number(cpu.toolSeconds())
                + ",\"toolCores\":" + number(cpu.toolCores()) + ",\"toolMicrosPerMessage\":" + toolMicrosPerMessage().map(Report::number).orElse("null")
                + ",\"busiestThread\":" + Wire.quote(cpu.busiestThread()) + ",\"busiestThreadShare\":" + number(cpu.busiestShare())
                + ",\"brokerSeconds\":" + (cpu.brokerSeconds().isPresent() ? number(cpu.brokerSeconds().getAsDouble()) : "null")
                + ",\"brokerMicrosPerMessage\":" + brokerMicrosPerMessage().map(Report::number).orElse("null") + "}");
        StringBuilder warned = new StringBuilder("[");
        for (String w : warnings()) {
            warned.append(warned.length() > 1 ? "," : "").append(Wire.quote(w));
        }
        field(out, "warnings", warned.append(']').toString());
        field(out, "latencyMs", "{\"publish\":" + json(publish) + ",\"publishToDeliver\":" + json(delivery) + "}");
        StringBuilder e = new StringBuilder("{");
        errors.forEach((kind, n) -> e.append(e.length() > 1 ? "," : "").append(Wire.quote(kind)).append(':').append(n));
        field(out, "errors", e.append('}').toString());
        field(out, "checked", String.valueOf(o.checked()));
        field(out, "lost", o.lost());
        field(out, "duplicated", o.duplicated());
        field(out, "redelivered", o.redelivered());
        field(out, "receivedWithout2xx", o.unconfirmedDelivered());
        field(out, "otherRuns", o.others());
        field(out, "ok", String.valueOf(ok()));
        out.setLength(out.length() - 1);
        return out.append("}\n").toString();
    }

    private static String json(Latency l) {
        return "{\"count\":" + l.count() + ",\"p50\":" + number(l.p50()) + ",\"p90\":" + number(l.p90()) + ",\"p99\":"
                + number(l.p99()) + ",\"p999\":" + number(l.p999()) + ",\"max\":" + number(l.max()) + "}";
    }

    private static void field(StringBuilder out, String name, Object value) {
        out.append('"').append(name).append("\":").append(value).append(',');
    }

    private static String number(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
