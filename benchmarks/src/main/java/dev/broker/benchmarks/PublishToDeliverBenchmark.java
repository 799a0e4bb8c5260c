package dev.broker.benchmarks;

import dev.broker.api.MessageListener;
import dev.broker.api.NewMessage;
import dev.broker.api.SubscribeRequest;
import dev.broker.api.Subscription;
import dev.broker.api.TopicName;
import dev.broker.api.TopicPattern;
import dev.broker.core.Broker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * PublishToDeliverBenchmark measures, inside the process, the time from calling publish to a
 * subscriber receiving the message: the store write (group commit) and the hand-over included.
 * SampleTime mode reports percentiles (SPEC section 11: p50 under 0.2 ms, p99 under 1 ms).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PublishToDeliverBenchmark {
    @Param({"memory", "mvstore-never", "mvstore-interval"})
    public String store;

    private Broker broker;
    private Subscription subscription;
    private final TopicName topic = TopicName.of("bench.latency");
    private final AtomicLong received = new AtomicLong();
    private final List<NewMessage> message = List.of(NewMessage.of("{\"payload\":\"" + "x".repeat(100) + "\"}"));
    private long sent;

    @Setup(Level.Trial)
    public void start() throws Exception {
        String[] s = store.split("-");
        broker = Brokers.start(s[0], s.length > 1 ? s[1] : "interval", Map.of());
        MessageListener listener = d -> received.incrementAndGet();
        subscription = broker.broker().subscribe(SubscribeRequest.broadcast(TopicPattern.of(topic.value())), listener);
    }

    @TearDown(Level.Trial)
    public void stop() {
        subscription.close();
        broker.close();
    }

    /** publishAndAwaitDelivery publishes one message and spins until the subscriber has it. */
    @Benchmark
    public long publishAndAwaitDelivery() {
        sent++;
        broker.broker().publish(topic, message);
        while (received.get() < sent) {
            Thread.onSpinWait();
        }
        return sent;
    }
}
