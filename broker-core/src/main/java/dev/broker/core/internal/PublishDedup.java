package dev.broker.core.internal;

import dev.broker.api.Message;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * PublishDedup is one topic's idempotency keys within {@code DEDUP_WINDOW} of their first publish
 * (docs/scheduled-and-idempotent.md): for each, what its publish stored, or will store once the
 * store has it. Bounded by {@code DEDUP_MAX_BYTES}: past it the oldest keys are forgotten before
 * their window ends. Keeps ids, offsets and timestamps, never message data. Not thread-safe:
 * guarded by the topic's monitor (docs/threading.md).
 */
final class PublishDedup {
    /** Bytes counted for a key besides its characters, and for each message it stands for. */
    private static final int KEY_OVERHEAD = 160;
    private static final int MESSAGE_OVERHEAD = 112;

    /** Remembered is one key: when it was first published and its answer (the stored messages, without data). */
    static final class Remembered {
        final long firstMillis;
        final CompletableFuture<List<Message>> answer;
        final long bytes;

        Remembered(long firstMillis, CompletableFuture<List<Message>> answer, String key, int messages) {
            this.firstMillis = firstMillis;
            this.answer = answer;
            this.bytes = KEY_OVERHEAD + 2L * key.length() + (long) MESSAGE_OVERHEAD * messages;
        }
    }

    private final long windowMillis;
    private final long maxBytes;
    /** In order of first publish: the oldest first. */
    private final LinkedHashMap<String, Remembered> keys = new LinkedHashMap<>();
    private long bytes;
    private long forgottenEarly;

    PublishDedup(long windowMillis, long maxBytes) {
        this.windowMillis = windowMillis;
        this.maxBytes = maxBytes;
    }

    /** find is what the key was remembered with, if it was first published within the window before {@code now}. */
    Remembered find(String key, long now) {
        forgetPassed(now);
        return keys.get(key);
    }

    /** remember records a key's first publish of {@code messages} messages at {@code millis}; its answer comes later. */
    Remembered remember(String key, long millis, int messages) {
        Remembered r = new Remembered(millis, new CompletableFuture<>(), key, messages);
        Remembered old = keys.put(key, r);
        if (old != null) {
            bytes -= old.bytes;
        }
        bytes += r.bytes;
        while (bytes > maxBytes && keys.size() > 1) {
            Iterator<Map.Entry<String, Remembered>> it = keys.entrySet().iterator();
            bytes -= it.next().getValue().bytes;
            it.remove();
            forgottenEarly++;
        }
        return r;
    }

    /** forget drops a key whose first publish failed, so that a retry stores it. */
    void forget(String key, Remembered r) {
        if (keys.remove(key, r)) {
            bytes -= r.bytes;
        }
    }

    /** answer is the form a key keeps of stored messages: ids, offsets and timestamps, no data or headers. */
    static List<Message> answer(List<Message> stored) {
        List<Message> out = new ArrayList<>(stored.size());
        for (Message m : stored) {
            out.add(new Message(m.id(), m.topic(), m.offset(), m.timestamp(), Map.of(), "null"));
        }
        return out;
    }

    int size() {
        return keys.size();
    }

    long forgottenEarly() {
        return forgottenEarly;
    }

    void clear() {
        keys.clear();
        bytes = 0;
    }

    private void forgetPassed(long now) {
        Iterator<Map.Entry<String, Remembered>> it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Remembered r = it.next().getValue();
            if (r.firstMillis + windowMillis > now) {
                break;
            }
            bytes -= r.bytes;
            it.remove();
        }
    }
}
