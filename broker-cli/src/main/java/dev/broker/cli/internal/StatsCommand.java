package dev.broker.cli.internal;

import dev.broker.client.BrokerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** StatsCommand prints a topic's statistics, the broker's JSON indented. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Print the statistics of TOPIC and of each of its groups (JSON).")
final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Override
    public Integer call() {
        try (BrokerClient client = cli.client(spec.commandLine())) {
            cli.out.println(Output.indented(client.stats(topic).json()));
            return Cli.OK;
        }
    }
}
