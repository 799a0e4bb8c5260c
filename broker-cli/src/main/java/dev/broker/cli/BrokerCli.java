package dev.broker.cli;

import dev.broker.cli.internal.Cli;

/**
 * BrokerCli is the main class of {@code bin/broker-cli}. Exit status: 0 on success, 1 when the
 * broker refused a request or could not be reached, 2 on bad usage.
 */
public final class BrokerCli {
    private BrokerCli() {
    }

    /** main runs one command and exits with its status. */
    public static void main(String[] args) {
        System.exit(Cli.run(args, System.out, System.err, System.in));
    }
}
