package dev.broker.loadtest;

import dev.broker.loadtest.internal.Cli;

/**
 * LoadTest is the main class of {@code bin/broker-load-test}. {@code --help} lists the options;
 * the exit status is 0 when every message answered 2xx came back exactly once, 1 when one was
 * lost (or, with {@code --ack auto}, duplicated) or none was published, 2 for bad arguments and 3
 * when the broker could not be reached.
 */
public final class LoadTest {
    private LoadTest() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(args, System.out, System.err));
    }
}
