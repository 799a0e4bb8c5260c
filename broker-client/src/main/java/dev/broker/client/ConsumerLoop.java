package dev.broker.client;

import dev.broker.client.internal.Backoff;
import dev.broker.client.internal.Http;
import dev.broker.client.internal.PollingLoop;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * ConsumerLoop consumes a topic for a group over HTTP: it long-polls for as many messages as it
 * has free handlers, runs the {@link MessageHandler} on each, and acks (or, when the handler
 * throws, nacks) them. When the broker cannot be reached it waits with backoff and polls again;
 * messages whose ack did not reach the broker are delivered again (at-least-once, docs/client.md).
 *
 * <p>Thread-safe. Back-pressure: the loop asks for no more messages than it has free handlers
 * ({@link Builder#concurrency}), so a slow handler leaves messages with the broker, where other
 * consumers of the group can take them.
 */
public interface ConsumerLoop extends AutoCloseable {
    /** topic is the topic consumed. */
    String topic();

    /** group is the group consumed for. */
    String group();

    /** handled is how many messages the handler has returned from so far. */
    long handled();

    /**
     * close stops polling, waits up to 30 s for the handlers running now and their acks, and
     * returns. Repeat calls do nothing.
     */
    @Override
    void close();

    /** Builder sets a loop up; {@link BrokerClient#consumerLoop} makes one. Not thread-safe. */
    final class Builder {
        private final Http http;
        private final Consumer<ConsumerLoop> register;
        private final String topic;
        private String group = "default";
        private AckMode ack = AckMode.MANUAL;
        private int concurrency = 1;
        private Duration wait = Duration.ofSeconds(10);
        private Duration nackDelay = Duration.ZERO;
        private Duration minBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Consumer<List<String>> onStale = stale -> { };
        private Consumer<BrokerException> onError = e -> { };

        Builder(Http http, Consumer<ConsumerLoop> register, String topic) {
            this.http = http;
            this.register = register;
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        /** group names the consumer group ({@code default} unless named). */
        public Builder group(String name) {
            this.group = Objects.requireNonNull(name, "group");
            return this;
        }

        /** ack sets the acknowledgement: {@link AckMode#MANUAL} (the default) acks after the handler returns. */
        public Builder ack(AckMode mode) {
            this.ack = Objects.requireNonNull(mode, "ack");
            return this;
        }

        /** concurrency is how many messages are handled at once (1 by default, at most 1000). */
        public Builder concurrency(int n) {
            if (n < 1 || n > 1000) {
                throw new IllegalArgumentException("concurrency is 1 to 1000, not " + n);
            }
            this.concurrency = n;
            return this;
        }

        /** pollWait is how long one poll waits for messages (10 s by default, at most 30 s). */
        public Builder pollWait(Duration d) {
            new ConsumeOptions("default", AckMode.AUTO, d); // the same bounds as a single poll
            this.wait = d;
            return this;
        }

        /** nackDelay is how long a message whose handler threw waits before it is delivered again (none by default). */
        public Builder nackDelay(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("a nack delay is 0 or more, not " + d);
            }
            this.nackDelay = d;
            return this;
        }

        /** reconnectBackoff sets the first and the longest wait after a failed poll (100 ms and 5 s by default). */
        public Builder reconnectBackoff(Duration first, Duration longest) {
            Backoff.check(first, longest);
            this.minBackoff = first;
            this.maxBackoff = longest;
            return this;
        }

        /**
         * onStale is told the receipts the broker reported stale: their lease had expired before
         * the ack, so the message was, or will be, handled again.
         */
        public Builder onStale(Consumer<List<String>> listener) {
            this.onStale = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** onError is told every failed poll, ack or nack; the loop goes on. */
        public Builder onError(Consumer<BrokerException> listener) {
            this.onError = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** start starts the loop on threads of its own and returns at once. */
        public ConsumerLoop start(MessageHandler handler) {
            PollingLoop loop = new PollingLoop(http, topic, group, ack, concurrency, wait, nackDelay, minBackoff, maxBackoff,
                    onStale, onError, Objects.requireNonNull(handler, "handler"));
            register.accept(loop);
            loop.start();
            return loop;
        }
    }
}
