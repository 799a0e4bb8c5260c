package dev.broker.core.internal;

import dev.broker.api.Message;
import dev.broker.api.TopicName;
import dev.broker.api.GroupName;
import dev.broker.spi.MessageStore;
import dev.broker.spi.StoreState;
import dev.broker.spi.StoredGroup;
import dev.broker.spi.StoredTopic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MemoryStore keeps every topic as an array-backed ring of messages indexed by offset, and groups'
 * progress in a map. Appends and saves complete at once; nothing survives the process. Thread-safe:
 * each topic's ring is guarded by its own monitor; the maps are concurrent. {@link #recover} returns
 * what the instance holds, so handing one instance to a second router acts as a restart.
 */
final class MemoryStore implements MessageStore {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ConcurrentHashMap<TopicName, Ring> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TopicName, ConcurrentHashMap<GroupName, StoredGroup>> groups = new ConcurrentHashMap<>();

    @Override
    public StoreState recover() {
        List<StoredTopic> stored = new ArrayList<>();
        topics.forEach((name, ring) -> stored.add(ring.describe(name)));
        List<StoredGroup> progress = new ArrayList<>();
        groups.values().forEach(g -> progress.addAll(g.values()));
        return new StoreState(stored, progress);
    }

    @Override
    public CompletionStage<Void> saveGroup(StoredGroup group) {
        groups.computeIfAbsent(group.topic(), t -> new ConcurrentHashMap<>()).put(group.group(), group);
        return DONE;
    }

    @Override
    public CompletionStage<Void> append(TopicName topic, List<Message> messages) {
        Ring ring = topics.computeIfAbsent(topic, t -> new Ring(messages.get(0).offset()));
        ring.append(messages);
        return DONE;
    }

    @Override
    public long dataBytes(TopicName topic, long fromOffset, long toOffset) {
        long bytes = 0;
        for (Message m : read(topic, fromOffset, (int) Math.min(Integer.MAX_VALUE, toOffset - fromOffset))) {
            bytes += Utf8.length(m.data());
        }
        return bytes;
    }

    @Override
    public List<Message> read(TopicName topic, long fromOffset, int limit) {
        Ring ring = topics.get(topic);
        return ring == null ? List.of() : ring.read(fromOffset, limit);
    }

    @Override
    public void truncate(TopicName topic, long firstOffset) {
        Ring ring = topics.get(topic);
        if (ring != null) {
            ring.truncate(firstOffset);
        }
    }

    @Override
    public void delete(TopicName topic) {
        topics.remove(topic);
        groups.remove(topic);
    }

    @Override
    public Optional<String> problem() {
        return Optional.empty();
    }

    @Override
    public void close() {
        // Kept until the instance is dropped, so a test can hand it to a second router.
    }

    /** Ring holds one topic's messages from {@code first} (inclusive) to {@code next} (exclusive). */
    private static final class Ring {
        private Message[] slots = new Message[16];
        private long first;
        private long next;

        Ring(long first) {
            this.first = first;
            this.next = first;
        }

        synchronized StoredTopic describe(TopicName name) {
            return new StoredTopic(name, first, next);
        }

        synchronized void append(List<Message> messages) {
            if (first == next && messages.get(0).offset() > next) {
                first = next = messages.get(0).offset(); // truncated to its end, continuing at a later offset
            }
            for (Message m : messages) {
                if (m.offset() != next) {
                    throw new IllegalStateException("append of offset " + m.offset() + " to " + m.topic()
                            + " whose next offset is " + next);
                }
                if (next - first == slots.length) {
                    grow();
                }
                slots[index(next)] = m;
                next++;
            }
        }

        synchronized List<Message> read(long from, int limit) {
            long start = Math.max(from, first);
            long end = Math.min(next, start + limit);
            if (start >= end) {
                return List.of();
            }
            List<Message> out = new ArrayList<>((int) (end - start));
            for (long o = start; o < end; o++) {
                out.add(slots[index(o)]);
            }
            return out;
        }

        synchronized void truncate(long newFirst) {
            long end = Math.min(newFirst, next);
            for (long o = first; o < end; o++) {
                slots[index(o)] = null;
            }
            first = Math.max(first, end);
            if (slots.length > 64 && next - first < slots.length / 4) {
                resize(slots.length / 2);
            }
        }

        private void grow() {
            resize(slots.length * 2);
        }

        private void resize(int capacity) {
            Message[] bigger = new Message[capacity];
            for (long o = first; o < next; o++) {
                bigger[(int) (o % capacity)] = slots[index(o)];
            }
            slots = bigger;
        }

        private int index(long offset) {
            return (int) (offset % slots.length);
        }
    }
}
