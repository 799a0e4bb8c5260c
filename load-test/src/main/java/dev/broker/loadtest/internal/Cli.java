package dev.broker.loadtest.internal;

import java.io.PrintStream;
import java.security.SecureRandom;
import picocli.CommandLine;

/**
 * Cli reads the command line and runs the load test it asks for. Bad arguments get one line
 * naming what is wrong and a hint to {@code --help}, and exit status 2.
 */
public final class Cli {
    static final String NAME = "broker-load-test";
    /** Exit statuses: see {@link dev.broker.loadtest.LoadTest}. */
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    private Cli() {
    }

    /** run runs the tool with {@code args}, prints to {@code out} and {@code err}, and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options = new Options();
        // A script may give a default and then override it: the last value of an option wins.
        CommandLine command = new CommandLine(options).setOverwrittenOptionsAllowed(true);
        String runId = runId();
        Arguments arguments;
        try {
            command.parseArgs(args);
            if (command.isUsageHelpRequested()) {
                command.usage(out);
                return OK;
            }
            arguments = options.toArguments(runId);
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println(NAME + ": " + firstLine(e.getMessage()));
            err.println("Try '" + NAME + " --help' for the options.");
            return USAGE;
        }
        try {
            return arguments.idleConnections() > 0
                    ? new IdleConnections(arguments, out, err).execute()
                    : new Run(arguments, runId, out, err).execute();
        } catch (SetupException e) {
            err.println(NAME + ": " + e.getMessage());
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(NAME + ": interrupted");
            return FAILED;
        }
    }

    /** arguments reads {@code args} as the tool does, without running anything; for tests. */
    static Arguments arguments(String runId, String... args) {
        Options options = new Options();
        new CommandLine(options).setOverwrittenOptionsAllowed(true).parseArgs(args);
        return options.toArguments(runId);
    }

    /** runId tells this run's messages, topic and group from any other run's. */
    static String runId() {
        String digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            id.append(digits.charAt(random.nextInt(digits.length())));
        }
        return id.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "bad arguments";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).trim();
    }
}
