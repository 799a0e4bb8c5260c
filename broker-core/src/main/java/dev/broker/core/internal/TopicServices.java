package dev.broker.core.internal;

import dev.broker.spi.BrokerConfig;
import dev.broker.spi.MessageStore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * TopicServices is all a {@link TopicLog} uses of the broker around it: the settings, the store,
 * the clock, message and lease ids, the observers, the timer and delivery threads, and the dead
 * letter topics. The {@link Router} makes one and gives it to every topic; a topic knows nothing
 * else of the Router. Thread-safe.
 *
 * @param clock     the time in epoch milliseconds
 * @param leaseIds  lease ids, starting at a random point, so receipts from before a restart are stale after it
 * @param timer     schedules a topic's wake-ups on {@code broker-timer}
 * @param delivery  runs a topic's pump on a {@code broker-delivery} thread (docs/threading.md)
 */
record TopicServices(BrokerConfig config, MessageStore store, LongSupplier clock, Uuid7 ids, AtomicLong leaseIds,
                     Observers observers, TopicTimer.Scheduler timer, DeliveryThreads delivery, DeadLetters deadLetters) {

    /** DeliveryThreads runs a task on a delivery thread; false once the broker is closed, when nothing is delivered any more. */
    interface DeliveryThreads {
        boolean execute(Runnable task);
    }
}
