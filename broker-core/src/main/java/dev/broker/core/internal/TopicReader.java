package dev.broker.core.internal;

import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.spi.MessageStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TopicReader reads one topic's messages from the store, in runs of consecutive offsets and,
 * where asked, no more than a number of bytes of data at a time (docs/limits.md). Stateless and
 * thread-safe; the store's own locks are taken (docs/threading.md).
 */
final class TopicReader {
    /** CHUNK is how many messages one read asks the store for when bytes are counted. */
    static final int CHUNK = 64;

    private final TopicName topic;
    private final MessageStore store;

    TopicReader(TopicName topic, MessageStore store) {
        this.topic = topic;
        this.store = store;
    }

    /** read reads the (ascending) offsets; those gone from the store are missing from the map. */
    Map<Long, Message> read(List<Long> offsets) {
        Map<Long, Message> out = new HashMap<>(offsets.size() * 2);
        int i = 0;
        while (i < offsets.size()) {
            int j = i + 1;
            while (j < offsets.size() && offsets.get(j) == offsets.get(j - 1) + 1) {
                j++;
            }
            for (Message m : store.read(topic, offsets.get(i), j - i)) {
                out.put(m.offset(), m);
            }
            i = j;
        }
        return out;
    }

    /**
     * readWithin reads the (ascending) offsets into {@code into} in order, until their data would
     * pass {@code maxBytes} (the first message always fits), and returns how many of the offsets
     * it covered: those read, and those gone from the store among them.
     */
    int readWithin(List<Long> offsets, long maxBytes, Map<Long, Message> into) {
        long bytes = 0;
        int i = 0;
        while (i < offsets.size()) {
            int j = i + 1;
            while (j < offsets.size() && j - i < CHUNK && offsets.get(j) == offsets.get(j - 1) + 1) {
                j++;
            }
            for (Message m : store.read(topic, offsets.get(i), j - i)) {
                long size = Utf8.length(m.data());
                if (!into.isEmpty() && bytes + size > maxBytes) {
                    return offsets.indexOf(m.offset());
                }
                bytes += size;
                into.put(m.offset(), m);
            }
            i = j;
        }
        return offsets.size();
    }

    /**
     * browse reads up to {@code wanted} messages from {@code start}, and no more once their data
     * reach {@code maxBytes} (always at least one), a chunk at a time, so that one request never
     * holds a thousand large messages at once.
     */
    List<Message> browse(long start, int wanted, long maxBytes) {
        List<Message> out = new ArrayList<>();
        long bytes = 0;
        long next = start;
        while (out.size() < wanted) {
            List<Message> chunk = store.read(topic, next, Math.min(CHUNK, wanted - out.size()));
            if (chunk.isEmpty()) {
                break;
            }
            for (Message m : chunk) {
                long size = Utf8.length(m.data());
                if (!out.isEmpty() && bytes + size > maxBytes) {
                    return out;
                }
                out.add(m);
                bytes += size;
            }
            next = chunk.get(chunk.size() - 1).offset() + 1;
        }
        return out;
    }
}
