package dev.broker.loadtest.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Run is one load test: it checks that the broker answers, creates the consumer group, starts the
 * receivers, lets the publishers send, waits for the messages still on their way, and reports.
 * Confined to the thread that calls {@link #execute}.
 */
final class Run {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

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
        HttpClient http = Clients.http();
        checkBroker(arguments, http);
        Accounting accounting = new Accounting(arguments.messages(), arguments.consumers() > 0, arguments.subscribers());
        Payload payload = new Payload(runId, arguments.size());
        if (arguments.consumers() > 0) {
            createGroup(http);
        }
        Clients webSockets = new Clients(arguments.transport() == Arguments.Transport.WS
                ? arguments.publishers() + arguments.consumers() + arguments.subscribers() : arguments.subscribers());
        List<Receiver> receivers = new ArrayList<>();
        try {
            for (int i = 0; i < arguments.consumers(); i++) {
                receivers.add(arguments.transport() == Arguments.Transport.HTTP
                        ? new HttpConsumer(arguments, accounting, payload, http, i)
                        : WsConsumer.member(arguments, accounting, payload, webSockets.next()));
            }
            for (int i = 0; i < arguments.subscribers(); i++) {
                receivers.add(WsConsumer.subscriber(arguments, accounting, payload, webSockets.next(), i));
            }
            for (Receiver r : receivers) {
                r.start();
            }
            Schedule schedule = new Schedule(arguments.messages(), arguments.duration().map(d -> d.plus(arguments.warmup())),
                    arguments.rate(), arguments.publishers());
            List<Publisher> publishers = new ArrayList<>();
            for (int i = 0; i < arguments.publishers(); i++) {
                if (arguments.transport() == Arguments.Transport.HTTP) {
                    publishers.add(new HttpPublisher(arguments, accounting, payload, schedule, i, http));
                } else {
                    WsPublisher p = new WsPublisher(arguments, accounting, payload, schedule, i);
                    p.connect(webSockets.next());
                    publishers.add(p);
                }
            }
            out.print(Report.header(arguments));
            out.flush();

            schedule.start();
            long start = schedule.startNanos();
            long measureFrom = start + arguments.warmup().toNanos();
            accounting.measureFrom(measureFrom);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < publishers.size(); i++) {
                Thread t = new Thread(publishers.get(i), "publisher-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            Thread progress = progress(accounting, start);
            for (Thread t : threads) {
                t.join();
            }
            long published = System.nanoTime();
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
                            schedule.maxLateNanos() / 1e6))
                    : Optional.empty();
            return new Report(arguments, runId,
                    Math.max(0, seconds((lastAnswer == Long.MIN_VALUE ? published : lastAnswer) - measureFrom)),
                    lastDelivery == Long.MIN_VALUE ? 0 : Math.max(0, seconds(lastDelivery - measureFrom)),
                    outcome, accounting.measured(), pace, Report.Latency.of(accounting.publishLatency()),
                    Report.Latency.of(accounting.deliveryLatency()), accounting.errors());
        } finally {
            for (Receiver r : receivers) {
                r.stop();
            }
        }
    }

    /** checkBroker makes sure something answers HTTP at the broker's address. */
    static void checkBroker(Arguments arguments, HttpClient http) throws SetupException, InterruptedException {
        try {
            http.send(HttpRequest.newBuilder(arguments.http("health")).timeout(SETUP_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new SetupException("cannot reach the broker at " + arguments.url() + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    /** createGroup makes the group start at the next message, so that it receives exactly this run's messages. */
    private void createGroup(HttpClient http) throws SetupException, InterruptedException {
        String body = "{\"group\":" + Wire.quote(arguments.group()) + ",\"startFrom\":\"latest\"}";
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(arguments.http("subscribe/" + arguments.topic())).timeout(SETUP_TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SetupException("cannot create the group " + arguments.group() + ": " + e);
        }
        if (response.statusCode() == 409) {
            err.println(Cli.NAME + ": the group " + arguments.group() + " exists with other settings; consuming with it as it is");
        } else if (response.statusCode() / 100 != 2) {
            throw new SetupException("cannot create the group " + arguments.group() + ": "
                    + Wire.problem(response.statusCode(), response.body()) + " " + response.body());
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
