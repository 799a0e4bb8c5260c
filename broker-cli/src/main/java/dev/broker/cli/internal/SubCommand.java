package dev.broker.cli.internal;

import dev.broker.client.AckMode;
import dev.broker.client.BrokerClient;
import dev.broker.client.StartFrom;
import dev.broker.client.Subscription;
import dev.broker.client.SubscriptionEvent;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * SubCommand subscribes over WebSocket and prints one JSON line a message until {@code --count}
 * messages came, or until it is interrupted (Ctrl-C), which closes the subscription and exits 0.
 * With {@code --ack manual} each message is acked after its line is written. The subscription
 * reconnects by itself; connection events go to standard error.
 */
@Command(name = "sub", mixinStandardHelpOptions = true, description = {
        "Subscribe to TOPIC (a pattern is allowed: 'orders.*', 'orders.>') over WebSocket and print each message as a JSON line.",
        "Without --group it is a broadcast; with --group a member of that consumer group."})
final class SubCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic or pattern.")
    String topic;

    @Option(names = "--group", paramLabel = "G", description = "Join this consumer group.")
    String group;

    @Option(names = "--ack", paramLabel = "auto|manual", defaultValue = "auto", converter = AckModes.class,
            description = "A group member's acknowledgement (default: ${DEFAULT-VALUE}); manual acks each message once printed.")
    AckMode ack;

    @Option(names = "--from", paramLabel = "earliest|latest|OFFSET", converter = StartFroms.class,
            description = "Where a broadcast starts (default: latest), or where a new group starts.")
    StartFrom from;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages.")
    Long count;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count is 1 or more, not " + count);
        }
        if (ack == AckMode.MANUAL && group == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ack manual needs --group: a broadcast has nothing to ack");
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong printed = new AtomicLong();
        BrokerClient client = cli.client(spec.commandLine());
        Subscription.Builder b = client.subscription(topic).ack(ack).onEvent(e -> report(e));
        if (group != null) {
            b.group(group);
        }
        if (from != null) {
            b.from(from);
        }
        Subscription s;
        try {
            s = b.start(d -> {
                if (done.getCount() == 0) {
                    return;
                }
                synchronized (cli.out) {
                    cli.out.println(Output.message(d.message()));
                    cli.out.flush();
                }
                if (ack == AckMode.MANUAL) {
                    d.ack().get(30, TimeUnit.SECONDS);
                }
                if (count != null && printed.incrementAndGet() >= count) {
                    done.countDown();
                }
            });
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        // Ctrl-C: close the subscription (its unacked messages go back to the group) and end with status 0.
        Thread hook = new Thread(() -> {
            s.close();
            client.close();
            cli.out.flush();
            Runtime.getRuntime().halt(Cli.OK);
        }, "broker-cli-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        done.await();
        Runtime.getRuntime().removeShutdownHook(hook);
        s.close();
        client.close();
        return Cli.OK;
    }

    private void report(SubscriptionEvent e) {
        if (e instanceof SubscriptionEvent.Disconnected d) {
            cli.err.println(Cli.NAME + ": disconnected (" + d.reason() + "); reconnecting in " + d.retryIn().toMillis() + " ms");
        } else if (e instanceof SubscriptionEvent.Subscribed s && s.resumed()) {
            cli.err.println(Cli.NAME + ": subscribed again");
        } else if (e instanceof SubscriptionEvent.Refused r) {
            cli.err.println(Cli.NAME + ": the broker refused: " + r.error().codeText() + ": " + r.error().detail());
        } else if (e instanceof SubscriptionEvent.TopicDeleted t) {
            cli.err.println(Cli.NAME + ": topic " + t.topic() + " was deleted");
        } else if (e instanceof SubscriptionEvent.HandlerFailed h) {
            cli.err.println(Cli.NAME + ": " + h.failure().getMessage());
        }
    }
}
