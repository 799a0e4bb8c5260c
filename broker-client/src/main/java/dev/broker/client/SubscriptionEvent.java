package dev.broker.client;

import java.time.Duration;

/**
 * SubscriptionEvent is what happens to a {@link Subscription}'s connection, reported to the
 * listener given to {@link Subscription.Builder#onEvent}. Events are reported on the
 * subscription's threads: a listener returns quickly and does not throw.
 */
public sealed interface SubscriptionEvent {
    /** Subscribed: the broker confirmed the subscription; {@code resumed} after a reconnect. */
    record Subscribed(boolean resumed) implements SubscriptionEvent {
    }

    /** Disconnected: the connection was lost; the next attempt is made after {@code retryIn}. */
    record Disconnected(String reason, Duration retryIn) implements SubscriptionEvent {
    }

    /** Refused: the broker refused the subscription or a frame of it (an {@code error} frame, a refused upgrade). */
    record Refused(BrokerRefusedException error) implements SubscriptionEvent {
    }

    /** TopicDeleted: a topic the subscription received from was deleted. */
    record TopicDeleted(String topic) implements SubscriptionEvent {
    }

    /** HandlerFailed: the handler threw on a delivery that was not, or could not be, nacked. */
    record HandlerFailed(Message message, Throwable failure) implements SubscriptionEvent {
    }
}
