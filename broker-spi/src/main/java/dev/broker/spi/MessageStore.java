package dev.broker.spi;

import dev.broker.api.Message;
import dev.broker.api.TopicName;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * MessageStore keeps what must survive a restart: topics' messages and groups' progress. The core
 * owns offsets and ordering: it calls {@link #append} for a topic with consecutive offsets, one call
 * at a time per topic, and reads only offsets it was told are stored. Every method is thread-safe;
 * calls for different topics may run concurrently.
 */
public interface MessageStore extends AutoCloseable {
    /** recover returns what the store held when it was opened. Called once, before anything else. */
    StoreState recover();

    /**
     * append stores messages of one topic whose offsets follow the topic's last appended one. It
     * returns at once; the stage completes when the messages are written (as durably as the store
     * promises), or exceptionally, in which case none of them is stored. Stages of one topic
     * complete in the order of their calls. A topic that had been truncated to its end continues at
     * the offset given.
     */
    CompletionStage<Void> append(TopicName topic, List<Message> messages);

    /**
     * read returns up to {@code limit} stored messages of the topic from {@code fromOffset} on, in
     * offset order; fewer (or none) where the topic ends or was truncated.
     */
    List<Message> read(TopicName topic, long fromOffset, int limit);

    /**
     * dataBytes is the UTF-8 size of the data of the topic's stored messages in
     * {@code [fromOffset, toOffset)}: what the core subtracts from a topic's size when it drops them.
     * A store that can tell without decoding the messages should.
     */
    default long dataBytes(TopicName topic, long fromOffset, long toOffset) {
        long bytes = 0;
        for (Message m : read(topic, fromOffset, (int) Math.min(Integer.MAX_VALUE, toOffset - fromOffset))) {
            bytes += m.data().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    /** truncate drops the topic's messages below {@code firstOffset}. Dropping nothing is fine. */
    void truncate(TopicName topic, long firstOffset);

    /** delete drops the topic, its messages and its groups. Deleting an unknown topic does nothing. */
    void delete(TopicName topic);

    /**
     * saveGroup records a group's progress, replacing what was recorded before. The stage completes
     * when it is as durable as an appended message; stages complete in the order of their calls.
     */
    CompletionStage<Void> saveGroup(StoredGroup group);

    /**
     * shared is the store as a {@link SharedStore} when it is one: then the core hands it every
     * topic and calls none of the methods above but {@link #recover}, {@link #problem} and
     * {@link #close}. Local stores (memory, mvstore) are not shared.
     */
    default Optional<SharedStore> shared() {
        return Optional.empty();
    }

    /** problem is why the store cannot write now, or empty if it can. */
    Optional<String> problem();

    /** close writes what is pending and releases the store's files. Repeat calls do nothing. */
    @Override
    void close();
}
