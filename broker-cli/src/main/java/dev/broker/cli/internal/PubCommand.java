package dev.broker.cli.internal;

import dev.broker.client.BrokerClient;
import dev.broker.client.PublishOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * PubCommand publishes one message, or one message a line of standard input, in order, and
 * prints each answer as a line. A line that is not JSON stops it (status 2) after the lines
 * before it were published.
 */
@Command(name = "pub", mixinStandardHelpOptions = true, description = {
        "Publish a message to TOPIC: the JSON given, or one message a line of standard input ('-' or nothing).",
        "Prints {\"id\",\"topic\",\"offset\"} for each message stored (with \"replayed\":true for a repeated --key)."})
final class PubCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to publish to.")
    String topic;

    @Parameters(index = "1", arity = "0..1", paramLabel = "JSON", description = "The message's data as JSON, or '-' for standard input.")
    String json;

    @Option(names = {"-H", "--header"}, paramLabel = "NAME=VALUE", description = "A message header (repeatable).")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--delay", paramLabel = "DURATION", converter = Durations.class,
            description = "Deliver no earlier than this long after the publish (up to the broker's MAX_DELAY).")
    Duration delay;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = Durations.class,
            description = "Drop the message if nobody got it within this long after the publish.")
    Duration ttl;

    @Option(names = "--key", paramLabel = "KEY",
            description = "Idempotency key: a repeat within the broker's DEDUP_WINDOW stores nothing (with stdin, KEY-1, KEY-2, ... a line).")
    String key;

    private PublishOptions options(int line) {
        return new PublishOptions(Optional.ofNullable(delay), Optional.ofNullable(ttl),
                Optional.ofNullable(key).map(k -> line == 0 ? k : k + "-" + line));
    }

    @Override
    public Integer call() throws IOException {
        try (BrokerClient client = cli.client(spec.commandLine())) {
            if (json != null && !json.equals("-")) {
                cli.out.println(Output.published(client.publish(topic, json, headers, options(0))));
                return Cli.OK;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8));
            int n = 0;
            String line;
            while ((line = lines.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    cli.out.println(Output.published(client.publish(topic, line, headers, options(n))));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + n + " of standard input: " + e.getMessage(), e);
                }
                cli.out.flush();
            }
            return Cli.OK;
        }
    }
}
