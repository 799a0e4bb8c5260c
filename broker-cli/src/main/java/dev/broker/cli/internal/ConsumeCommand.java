package dev.broker.cli.internal;

import dev.broker.client.AckMode;
import dev.broker.client.BrokerClient;
import dev.broker.client.ConsumeOptions;
import dev.broker.client.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * ConsumeCommand takes up to {@code --count} messages of a group over HTTP in one poll and prints
 * them, one JSON line each; with {@code --ack manual} it acks them once printed. None waiting is
 * not an error: it prints nothing and exits 0.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, description = {
        "Consume messages of TOPIC for a consumer group over HTTP (one poll) and print each as a JSON line."})
final class ConsumeCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Option(names = "--group", paramLabel = "G", defaultValue = "default", description = "The consumer group (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--ack", paramLabel = "auto|manual", defaultValue = "auto", converter = AckModes.class,
            description = "auto finishes messages as they are handed out; manual acks them once printed (default: ${DEFAULT-VALUE}).")
    AckMode ack;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1", description = "Take up to N messages, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.class,
            description = "Wait up to this long for a message, at most 30s (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Override
    public Integer call() {
        if (count < 1 || count > 1000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count is 1 to 1000, not " + count);
        }
        if (wait.compareTo(ConsumeOptions.MAX_WAIT) > 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--wait is at most 30s, not " + wait.toSeconds() + "s");
        }
        try (BrokerClient client = cli.client(spec.commandLine())) {
            ConsumeOptions options = new ConsumeOptions(group, ack, wait);
            List<Message> got = client.consumeBatch(topic, count, options);
            for (Message m : got) {
                cli.out.println(Output.message(m));
            }
            cli.out.flush();
            if (ack == AckMode.MANUAL && !got.isEmpty()) {
                client.ack(topic, group, got.stream().map(m -> m.receipt().orElseThrow()).toList());
            }
            return Cli.OK;
        }
    }
}
