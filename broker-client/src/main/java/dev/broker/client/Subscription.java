package dev.broker.client;

import dev.broker.client.internal.Backoff;
import dev.broker.client.internal.Http;
import dev.broker.client.internal.WsSubscription;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Subscription is one WebSocket subscription to a topic or a pattern: a broadcast subscription
 * (every message stored after it was made, or from an offset), or a member of a consumer group.
 * It has a connection of its own, and when that connection is lost it reconnects with backoff and
 * subscribes again: a broadcast resumes after the last offset it received from each topic, a
 * group member gets what its group has not finished (docs/client.md).
 *
 * <p>Thread-safe. Back-pressure: messages wait for the handler in a queue bounded by
 * {@link Builder#maxInFlight} (at least 256); while it is full the client reads no more from the
 * connection, so TCP slows the broker down. A broadcast subscriber that falls 4096 messages behind
 * is disconnected by the broker; this client then reconnects and resumes where it was.
 */
public interface Subscription extends AutoCloseable {
    /** topic is the topic or pattern subscribed to. */
    String topic();

    /** group is the group this subscription is a member of, absent for a broadcast. */
    Optional<String> group();

    /** connected says whether the subscription's connection is open and subscribed now. */
    boolean connected();

    /**
     * close unsubscribes and closes the connection; a manual delivery not yet acked goes back to
     * its group. Messages already queued for the handler are dropped. Returns when the handler is
     * no longer called. Repeat calls do nothing.
     */
    @Override
    void close();

    /** Builder sets a subscription up; {@link BrokerClient#subscription} makes one. Not thread-safe. */
    final class Builder {
        private final Http http;
        private final ScheduledExecutorService timer;
        private final Consumer<Subscription> register;
        private final String topic;
        private Optional<String> group = Optional.empty();
        private AckMode ack = AckMode.AUTO;
        private Optional<StartFrom> from = Optional.empty();
        private int maxInFlight = 100;
        private Duration minBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Consumer<SubscriptionEvent> events = e -> { };

        Builder(Http http, ScheduledExecutorService timer, Consumer<Subscription> register, String topic) {
            this.http = http;
            this.timer = timer;
            this.register = register;
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        /** group makes the subscription a member of this consumer group. */
        public Builder group(String name) {
            this.group = Optional.of(Objects.requireNonNull(name, "group"));
            return this;
        }

        /** ack sets the acknowledgement of a group member: {@link AckMode#MANUAL} for at-least-once. */
        public Builder ack(AckMode mode) {
            this.ack = Objects.requireNonNull(mode, "ack");
            return this;
        }

        /** from sets where a broadcast starts (latest by default), or where a group that does not exist yet starts. */
        public Builder from(StartFrom start) {
            this.from = Optional.of(Objects.requireNonNull(start, "from"));
            return this;
        }

        /** maxInFlight bounds a member's unacked messages (default 100) and the handler's queue. */
        public Builder maxInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlight is 1 or more, not " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /** reconnectBackoff sets the first and the longest wait between reconnect attempts (100 ms and 5 s by default). */
        public Builder reconnectBackoff(Duration first, Duration longest) {
            Backoff.check(first, longest);
            this.minBackoff = first;
            this.maxBackoff = longest;
            return this;
        }

        /** onEvent sets the listener of connection events (none by default). */
        public Builder onEvent(Consumer<SubscriptionEvent> listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * start connects, subscribes and returns once the broker confirmed it; from then on the
         * handler gets the messages.
         *
         * @throws BrokerRefusedException when the broker refuses the subscription (a bad topic, no right)
         * @throws BrokerUnavailableException when the broker cannot be reached
         */
        public Subscription start(DeliveryHandler handler) {
            if (ack == AckMode.MANUAL && group.isEmpty()) {
                throw new IllegalArgumentException("manual acknowledgement needs a group: a broadcast has nothing to ack");
            }
            WsSubscription s = new WsSubscription(http, timer, topic, group, ack, from, maxInFlight, minBackoff, maxBackoff,
                    events, Objects.requireNonNull(handler, "handler"));
            s.start();
            register.accept(s);
            return s;
        }
    }
}
