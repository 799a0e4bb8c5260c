package dev.broker.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** ReportTest checks when the report says the tool, not the broker, may have set the figures. */
class ReportTest {
    private static final Report.Latency LATENCY = new Report.Latency(1000, 1, 2, 3, 4, 5);
    private static final Report.Latency ON_TIME = new Report.Latency(1000, 0.01, 0.02, 0.05, 0.1, 0.2);

    static Report report(Optional<Report.Pace> pace, CpuUse cpu) {
        return report(Cli.arguments("r", "--messages", "1000", "--warmup", "1s"), 1, pace, cpu);
    }

    static Report report(Arguments arguments, double seconds, Optional<Report.Pace> pace, CpuUse cpu) {
        Accounting.Outcome outcome = new Accounting.Outcome(1000, 0, 1000, 1000, 0, 0, 0, 0, 0, true);
        return new Report(arguments, "r", seconds, seconds, outcome, new Accounting.Measured(1000, 1000, 1000), pace, LATENCY, LATENCY,
                Map.of(), cpu);
    }

    static CpuUse cpu(double toolSeconds, double busiestShare, double brokerSeconds) {
        return new CpuUse(1, toolSeconds, "load-test-client-3", busiestShare, OptionalDouble.of(brokerSeconds));
    }

    @Test
    void aRunWhereTheBrokerWorkedHardestHasNoWarning() {
        Report r = report(Optional.of(new Report.Pace(1000, 1000, 1000, 0.1, ON_TIME)), cpu(0.05, 0.3, 0.2));
        assertEquals(List.of(), r.warnings());
        assertEquals(Optional.of(50.0), r.toolMicrosPerMessage());
        assertEquals(Optional.of(200.0), r.brokerMicrosPerMessage());
        assertTrue(r.text().contains("cpu           tool 0.05 s (50.0 us a message)"), r.text());
        assertTrue(!r.text().contains("warning"), r.text());
    }

    @Test
    void aSaturatedClientThreadIsWarnedOf() {
        List<String> w = report(Optional.empty(), cpu(0.05, 0.95, 0.2)).warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("load-test-client-3 was busy 95 %"), w.get(0));
    }

    @Test
    void aToolThatCostMoreThanTheBrokerIsWarnedOf() {
        Report r = report(Optional.empty(), cpu(0.3, 0.3, 0.2));
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).contains("more CPU per message (300.0 us) than the broker (200.0 us)"), r.warnings().get(0));
        assertTrue(r.text().contains("\nwarning       the tool spent more CPU"), r.text());
        assertTrue(r.json().contains("\"warnings\":[\"the tool spent more CPU"), r.json());
    }

    @Test
    void anOpenLoopScheduleThatFellBehindIsWarnedOf() {
        List<String> w = report(Optional.of(new Report.Pace(1000, 1000, 900, 80, ON_TIME)), cpu(0.05, 0.3, 0.2)).warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("the schedule fell behind: 900 of 1000 due messages were sent"), w.get(0));
    }

    @Test
    void aShortRunWithoutWarmUpIsWarnedOf() {
        CpuUse cpu = cpu(0.05, 0.3, 0.2);
        List<String> w = report(Cli.arguments("r", "--messages", "1000"), 6.3, Optional.empty(), cpu).warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("a 6.3 s run without --warmup measures the broker and the tool while they still compile"), w.get(0));
        assertEquals(List.of(), report(Cli.arguments("r", "--messages", "1000"), 12, Optional.empty(), cpu).warnings());
    }

    @Test
    void aLateTimerIsTheToolsOwnLateness() {
        Report.Latency late = new Report.Latency(1000, 0.5, 1, 2.5, 4, 8);
        List<String> w = report(Optional.of(new Report.Pace(1000, 1000, 1000, 8, late)), cpu(0.05, 0.3, 0.2)).warnings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("2.500 ms or more after they were due"), w.get(0));
    }
}
