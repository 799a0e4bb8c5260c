package dev.broker.cli.internal;

import dev.broker.client.BrokerClient;
import dev.broker.client.TopicInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** TopicsCommand lists the topics as a table, or as JSON lines with {@code --json}. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "List the topics, with their message counts and offsets.")
final class TopicsCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "One JSON object a line instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        try (BrokerClient client = cli.client(spec.commandLine())) {
            List<TopicInfo> topics = client.topics();
            if (json) {
                for (TopicInfo t : topics) {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("name", t.name());
                    f.put("messages", t.messages());
                    f.put("firstOffset", t.firstOffset());
                    f.put("lastOffset", t.lastOffset());
                    cli.out.println(Output.object(f));
                }
                return Cli.OK;
            }
            int width = Math.max(5, topics.stream().mapToInt(t -> t.name().length()).max().orElse(0));
            String row = "%-" + width + "s %10s %12s %12s%n";
            cli.out.printf(row, "TOPIC", "MESSAGES", "FIRST", "LAST");
            for (TopicInfo t : topics) {
                cli.out.printf(row, t.name(), t.messages(), t.firstOffset(), t.lastOffset());
            }
            return Cli.OK;
        }
    }
}
