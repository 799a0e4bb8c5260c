package dev.broker.core.internal;

import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerObserver;
import java.util.Arrays;

/**
 * Observers fans every report out to the observers metrics plugins added. A report reads one
 * volatile array and allocates nothing; with no observer it is an empty loop. Thread-safe: adding
 * replaces the array under the instance's monitor.
 */
final class Observers implements BrokerObserver {
    private volatile BrokerObserver[] observers = new BrokerObserver[0];

    synchronized void add(BrokerObserver observer) {
        BrokerObserver[] more = Arrays.copyOf(observers, observers.length + 1);
        more[more.length - 1] = observer;
        observers = more;
    }

    @Override
    public void published(TopicName topic, int count, long nanos) {
        for (BrokerObserver o : observers) {
            o.published(topic, count, nanos);
        }
    }

    @Override
    public void rejected(TopicName topic, ErrorCode code) {
        for (BrokerObserver o : observers) {
            o.rejected(topic, code);
        }
    }

    @Override
    public void consumed(TopicName topic, GroupName group, int count) {
        for (BrokerObserver o : observers) {
            o.consumed(topic, group, count);
        }
    }

    @Override
    public void redelivered(TopicName topic, GroupName group, int count) {
        for (BrokerObserver o : observers) {
            o.redelivered(topic, group, count);
        }
    }

    @Override
    public void deadLettered(TopicName topic, GroupName group, String reason) {
        for (BrokerObserver o : observers) {
            o.deadLettered(topic, group, reason);
        }
    }

    @Override
    public void delayed(TopicName topic, int count) {
        for (BrokerObserver o : observers) {
            o.delayed(topic, count);
        }
    }

    @Override
    public void expired(TopicName topic, GroupName group, int count) {
        for (BrokerObserver o : observers) {
            o.expired(topic, group, count);
        }
    }

    @Override
    public void replayed(TopicName topic) {
        for (BrokerObserver o : observers) {
            o.replayed(topic);
        }
    }

    @Override
    public void dropped(TopicName topic, long count, boolean expired) {
        for (BrokerObserver o : observers) {
            o.dropped(topic, count, expired);
        }
    }

    @Override
    public void connectionOpened(String transport) {
        for (BrokerObserver o : observers) {
            o.connectionOpened(transport);
        }
    }

    @Override
    public void connectionClosed(String transport) {
        for (BrokerObserver o : observers) {
            o.connectionClosed(transport);
        }
    }

    @Override
    public void slowConsumerDisconnected(String transport) {
        for (BrokerObserver o : observers) {
            o.slowConsumerDisconnected(transport);
        }
    }

    @Override
    public void storeCommit(int operations, long nanos) {
        for (BrokerObserver o : observers) {
            o.storeCommit(operations, nanos);
        }
    }
}
