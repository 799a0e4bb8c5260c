package dev.broker.core.internal;

import dev.broker.api.Subscription;
import dev.broker.api.TopicPattern;

/**
 * TopicSubscriber is a subscription as the router tracks it: it is attached to every topic its
 * pattern matches, now and as topics are created.
 */
interface TopicSubscriber extends Subscription {
    @Override
    TopicPattern pattern();

    /** attach joins a matching topic; called under the router's registry lock. */
    void attach(TopicLog log);
}
