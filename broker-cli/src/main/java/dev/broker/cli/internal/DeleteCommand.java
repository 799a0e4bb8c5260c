package dev.broker.cli.internal;

import dev.broker.client.BrokerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** DeleteCommand deletes a topic with its messages and groups; an unknown topic is a refusal (status 1). */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete TOPIC, its messages and its consumer groups.")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
    String topic;

    @Override
    public Integer call() {
        try (BrokerClient client = cli.client(spec.commandLine())) {
            client.deleteTopic(topic);
            cli.out.println("deleted " + topic);
            return Cli.OK;
        }
    }
}
