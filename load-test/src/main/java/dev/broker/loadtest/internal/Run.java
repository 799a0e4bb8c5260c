package dev.broker.loadtest.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Run is one load test: it checks that the broker answers, creates the consumer group, starts the
 * receivers, lets the publishers send, waits for the messages still on their way, and reports.
 * Confined to the thread that calls {@link #execute}.
 */
final class Run {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);
    /** How long answers may take once every message has been sent. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(HttpPublisher.TIMEOUT_SECONDS + 5);

    private final Arguments arguments;
    private final String runId;
    private final PrintStream out;
    private final PrintStream err;

    Run(Arguments arguments, String runId, PrintStream out, PrintStream err) {
        this.arguments = arguments;
        this.runId = runId;
        this.out = out;
        this.err = err;
    }

    /** execute runs the test and returns the exit status. */
    int execute() throws SetupException, InterruptedException {
        Report report = measure();
        out.print(report.text());
        out.flush();
        if (arguments.json().isPresent()) {
            try {
                Files.writeString(arguments.json().get(), report.json());
            } catch (IOException e) {
                err.println(Cli.NAME + ": cannot write the JSON report to " + arguments.json().get() + ": " + e.getMessage());
                return Cli.FAILED;
            }
        }
        return report.exitStatus();
    }

    /** measure runs the test and returns its report. */
    Report measure() throws SetupException, InterruptedException {
        int connections = arguments.publishers() + 2 * arguments.consumers() + arguments.subscribers();
        try (Clients clients = new Clients(connections)) {
            return measure(clients);
        }
    }

    private Report measure(Clients clients) throws SetupException, InterruptedException {
        checkBroker(arguments, clients);
        Accounting accounting = new Accounting(arguments.messages(), arguments.consumers() > 0, arguments.subscribers());
        Payload payload = new Payload(runId, arguments.size());
        if (arguments.consumers() > 0) {
            createGroup(clients);
        }
        List<Receiver> receivers = new ArrayList<>();
        List<Publisher> publishers = new ArrayList<>();
        try {
            for (int i = 0; i < arguments.consumers(); i++) {
                receivers.add(arguments.transport() == Arguments.Transport.HTTP
                        ? new HttpConsumer(arguments, accounting, payload, clients)
                        : WsConsumer.member(arguments, accounting, payload, clients));
            }
            for (int i = 0; i < arguments.subscribers(); i++) {
                receivers.add(WsConsumer.subscriber(arguments, accounting, payload, clients, i));
            }
            for (Receiver r : receivers) {
                r.start();
            }
            Schedule schedule = new Schedule(arguments.messages(), arguments.duration().map(d -> d.plus(arguments.warmup())),
                    arguments.rate(), arguments.publishers());
            for (int i = 0; i < arguments.publishers(); i++) {
                if (arguments.transport() == Arguments.Transport.HTTP) {
                    publishers.add(new HttpPublisher(arguments, accounting, payload, schedule, i, clients));
                } else {
                    WsPublisher p = new WsPublisher(arguments, accounting, payload, schedule, i, clients);
                    publishers.add(p);
                    p.connect();
                }
            }
            out.print(Report.header(arguments));
            out.flush();

            URI metrics = arguments.http("metrics");
            schedule.start();
            long start = schedule.startNanos();
            long measureFrom = start + arguments.warmup().toNanos();
            accounting.measureFrom(measureFrom);
            for (Publisher p : publishers) {
                p.start();
            }
            Thread progress = progress(accounting, start);
            // CPU counts over the measured part only, as the rates do: the warm-up is where both
            // processes compile their hot paths.
            awaitWarmUp(publishers, measureFrom);
            CpuUse.Sample cpuBefore = CpuUse.sample(clients, metrics);
            awaitPublishers(publishers, schedule);
            long published = System.nanoTime();
            CpuUse cpu = cpuBefore.until(CpuUse.sample(clients, metrics));
            if (arguments.checksDelivery()) {
                long drainEnd = published + arguments.drain().toNanos();
                while (!accounting.settled() && System.nanoTime() - drainEnd < 0) {
                    Thread.sleep(20);
                }
            }
            progress.interrupt();
            for (Receiver r : receivers) {
                r.stop();
            }
            receivers.clear();
            long lastAnswer = accounting.lastAnswerNanos();
            long lastDelivery = accounting.lastDeliveryNanos();
            Accounting.Outcome outcome = accounting.outcome();
            Optional<Report.Pace> pace = arguments.openLoop()
                    ? Optional.of(new Report.Pace(arguments.rate(), schedule.due(published), outcome.confirmed() + outcome.failed(),
                            schedule.maxLateNanos() / 1e6, Report.Latency.of(schedule.timerLateness())))
                    : Optional.empty();
            return new Report(arguments, runId,
                    Math.max(0, seconds((lastAnswer == Long.MIN_VALUE ? published : lastAnswer) - measureFrom)),
                    lastDelivery == Long.MIN_VALUE ? 0 : Math.max(0, seconds(lastDelivery - measureFrom)),
                    outcome, accounting.measured(), pace, Report.Latency.of(accounting.publishLatency()),
                    Report.Latency.of(accounting.deliveryLatency()), accounting.errors(), cpu);
        } finally {
            for (Receiver r : receivers) {
                r.stop();
            }
            for (Publisher p : publishers) {
                p.close();
            }
        }
    }

    /**
     * awaitPublishers waits until every publisher has nothing left to send and every answer is in;
     * once the schedule has nothing left to hand out, it waits at most {@link #ANSWER_WAIT} more and
     * then fails what is still unanswered.
     */
    /** awaitWarmUp returns at {@code measureFrom}, or before it if every publisher has ended. */
    private static void awaitWarmUp(List<Publisher> publishers, long measureFrom) throws InterruptedException {
        for (Publisher p : publishers) {
            long left;
            while ((left = measureFrom - System.nanoTime()) > 0) {
                if (p.await(Math.min(50, Math.max(1, left / 1_000_000)))) {
                    break;
                }
            }
        }
    }

    private static void awaitPublishers(List<Publisher> publishers, Schedule schedule) throws InterruptedException {
        long exhaustedAt = 0;
        for (Publisher p : publishers) {
            while (!p.await(50)) {
                long now = System.nanoTime();
                if (exhaustedAt == 0 && schedule.exhausted(now)) {
                    exhaustedAt = now;
                }
                if (exhaustedAt != 0 && now - exhaustedAt > ANSWER_WAIT.toNanos()) {
                    for (Publisher q : publishers) {
                        q.stop();
                        q.abandon("no publish answer within " + ANSWER_WAIT.toSeconds() + " s");
                    }
                    for (Publisher q : publishers) {
                        q.await(ANSWER_WAIT.toMillis());
                    }
                    return;
                }
            }
        }
    }

    /** checkBroker makes sure something answers HTTP at the broker's address. */
    static void checkBroker(Arguments arguments, Clients clients) throws SetupException, InterruptedException {
        try {
            clients.http().newRequest(arguments.http("health")).timeout(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).send();
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SetupException("cannot reach the broker at " + arguments.url() + " (" + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")");
        }
    }

    /** createGroup makes the group start at the next message, so that it receives exactly this run's messages. */
    private void createGroup(Clients clients) throws SetupException, InterruptedException {
        String body = "{\"group\":" + Wire.quote(arguments.group()) + ",\"startFrom\":\"latest\"}";
        ContentResponse response;
        try {
            response = clients.http().newRequest(arguments.http("subscribe/" + arguments.topic())).method(HttpMethod.POST)
                    .timeout(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .body(new StringRequestContent("application/json", body, StandardCharsets.UTF_8)).send();
        } catch (ExecutionException | TimeoutException e) {
            throw new SetupException("cannot create the group " + arguments.group() + ": " + (e.getCause() != null ? e.getCause() : e));
        }
        if (response.getStatus() == 409) {
            err.println(Cli.NAME + ": the group " + arguments.group() + " exists with other settings; consuming with it as it is");
        } else if (response.getStatus() / 100 != 2) {
            throw new SetupException("cannot create the group " + arguments.group() + ": "
                    + Wire.problem(response.getStatus(), response.getContentAsString()) + " " + response.getContentAsString());
        }
    }

    /** progress prints a line to stderr every few seconds, so a long run shows it is alive. */
    private Thread progress(Accounting accounting, long start) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(PROGRESS_EVERY.toMillis());
                    err.printf(Locale.ROOT, "  %5.1f s: %d published, %d delivered, %d errors%n", seconds(System.nanoTime() - start),
                            accounting.confirmedCount(), accounting.deliveryCount(), accounting.errorCount());
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }, "progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
