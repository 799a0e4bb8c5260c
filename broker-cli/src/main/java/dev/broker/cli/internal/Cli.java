package dev.broker.cli.internal;

import dev.broker.client.BrokerClient;
import dev.broker.client.BrokerRefusedException;
import dev.broker.client.BrokerUnavailableException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Cli is the root command of {@code broker-cli}: the options every command shares (where the
 * broker is, its token), the subcommands, and the exit statuses. Bad usage gets one line and a
 * pointer to {@code --help} (status 2); a refusal gets the broker's code and detail (status 1).
 */
@Command(name = "broker-cli", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Publish, subscribe, consume and administer a running broker.",
        subcommands = {PubCommand.class, SubCommand.class, ConsumeCommand.class, TopicsCommand.class, StatsCommand.class,
                DlqCommand.class, DeleteCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit status: 0 success, 1 the broker refused or could not be reached, 2 bad usage.",
                "Completion: source <(broker-cli generate-completion)"})
public final class Cli implements java.util.concurrent.Callable<Integer> {
    static final String NAME = "broker-cli";
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int USAGE = 2;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL", defaultValue = "${env:BROKER_URL:-http://localhost:8080}",
            description = "The broker's address (env BROKER_URL; default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN", defaultValue = "${env:BROKER_TOKEN}",
            description = "Bearer token to send (env BROKER_TOKEN).")
    String token;

    final PrintStream out;
    final PrintStream err;
    final InputStream in;

    Cli(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** call runs when no command is named: that is bad usage. */
    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: pub, sub, consume, topics, stats, dlq or delete");
    }

    /** client is a client of the broker the options name; bad options are usage errors. */
    BrokerClient client(CommandLine cmd) {
        try {
            BrokerClient.Builder b = BrokerClient.builder(url);
            Optional.ofNullable(token).filter(t -> !t.isEmpty()).ifPresent(b::token);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /** run runs the command line and returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        CommandLine cmd = new CommandLine(new Cli(out, err, in));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((e, arguments) -> {
            err.println(NAME + ": " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
            return USAGE;
        });
        cmd.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof BrokerRefusedException r) {
                err.println(NAME + ": the broker refused: " + r.codeText() + (r.status() > 0 ? " (" + r.status() + ")" : "")
                        + ": " + r.detail());
                return REFUSED;
            }
            if (e instanceof BrokerUnavailableException u) {
                err.println(NAME + ": " + u.getMessage());
                return REFUSED;
            }
            if (e instanceof IllegalArgumentException) {
                err.println(NAME + ": " + e.getMessage());
                err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more.");
                return USAGE;
            }
            throw e;
        });
        return cmd.execute(args);
    }

    /** Version is the version picocli prints for --version: the module's, when it has one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {NAME + " " + Optional.ofNullable(Cli.class.getPackage().getImplementationVersion()).orElse("(development)")};
        }
    }
}
