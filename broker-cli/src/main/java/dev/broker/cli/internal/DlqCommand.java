package dev.broker.cli.internal;

import dev.broker.client.BrokerClient;
import dev.broker.client.Message;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * DlqCommand shows the dead letters of a topic (a browse of {@code dlq.TOPIC}, which leases
 * nothing), or with {@code --redrive --group G} hands that group's dead letters back to it.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = {
        "Print the dead letters of TOPIC (the topic dlq.TOPIC) as JSON lines, without consuming them;",
        "or, with --redrive --group G, hand group G's dead letters back to it."})
final class DlqCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic whose dead letters to show (not dlq.TOPIC itself).")
    String topic;

    @Option(names = "--redrive", description = "Redrive instead of printing (needs --group).")
    boolean redrive;

    @Option(names = "--group", paramLabel = "G", description = "The group whose dead letters to redrive.")
    String group;

    @Option(names = "--from", paramLabel = "OFFSET", defaultValue = "0", description = "The first offset to print (default: ${DEFAULT-VALUE}).")
    long from;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Print at most N, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (redrive && group == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--redrive needs --group: name the group whose dead letters to redrive");
        }
        if (!redrive && group != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--group goes with --redrive");
        }
        try (BrokerClient client = cli.client(spec.commandLine())) {
            if (redrive) {
                cli.out.println(Output.object(Map.of("redriven", client.redrive(topic, group))));
                return Cli.OK;
            }
            for (Message m : client.browse("dlq." + topic, from, limit)) {
                cli.out.println(Output.message(m));
            }
            return Cli.OK;
        }
    }
}
