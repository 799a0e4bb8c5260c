package dev.broker.core.internal;

import dev.broker.api.ConsumeRequest;
import dev.broker.api.GroupName;
import dev.broker.api.Message;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Redrive hands a group's dead letters back to their topic, for that group alone
 * (docs/decisions/0006-groups-and-dead-letters.md). One redrive per group runs at a time, so no
 * dead letter is handed back twice; a redrive asked for while one runs starts after it. Thread-safe.
 */
final class Redrive {
    private final Function<TopicName, TopicLog> topics;
    private final DeadLetters.Appender appender;
    private final int maxBatchSize;
    private final Map<String, CompletableFuture<Integer>> running = new ConcurrentHashMap<>();

    /** {@code topics} finds a topic that exists, or gives null. */
    Redrive(Function<TopicName, TopicLog> topics, DeadLetters.Appender appender, int maxBatchSize) {
        this.topics = topics;
        this.appender = appender;
        this.maxBatchSize = maxBatchSize;
    }

    /** start redrives the group's dead letters of {@code log}; completes with how many went back. */
    CompletionStage<Integer> start(TopicLog log, GroupName group) {
        String key = log.name + "/" + group;
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Integer> previous = running.put(key, result);
        CompletableFuture<?> before = previous == null ? CompletableFuture.completedFuture(0) : previous.handle((a, b) -> 0);
        before.thenCompose(ignored -> now(log, group)).whenComplete((n, failure) -> {
            running.remove(key, result);
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(n);
            }
        });
        return result;
    }

    private CompletionStage<Integer> now(TopicLog log, GroupName group) {
        TopicLog dlq = topics.apply(DeadLetters.topicOf(log.name));
        long position = log.redrivePosition(group);
        if (dlq == null || position < 0) {
            return CompletableFuture.completedFuture(0);
        }
        return from(log, dlq, group, position, dlq.storedOffset(), 0);
    }

    /**
     * from streams a group's dead letters back one browse at a time (at most
     * {@code MAX_REQUEST_SIZE} bytes of them in memory, docs/limits.md): each chunk's matches are
     * appended, then the group's redrive position is stored past the chunk, so a redrive that
     * fails half-way hands back nothing twice when run again.
     */
    private CompletionStage<Integer> from(TopicLog log, TopicLog dlq, GroupName group, long from, long end, int count) {
        if (from >= end) {
            return CompletableFuture.completedFuture(count);
        }
        List<Message> chunk = dlq.browse(from, (int) Math.min(ConsumeRequest.MAX_LIMIT, end - from));
        if (chunk.isEmpty()) {
            return log.redriven(group, end).thenApply(done -> count);
        }
        List<NewMessage> back = new ArrayList<>();
        for (Message m : chunk) {
            if (DeadLetters.isLetterOf(m, log.name, group)) {
                back.add(DeadLetters.redriven(m, group));
            }
        }
        long next = chunk.get(chunk.size() - 1).offset() + 1;
        CompletionStage<List<Message>> appended = CompletableFuture.completedFuture(List.of());
        for (int i = 0; i < back.size(); i += maxBatchSize) {
            List<NewMessage> batch = back.subList(i, Math.min(back.size(), i + maxBatchSize));
            appended = appended.thenCompose(done -> appender.append(log.name, batch));
        }
        int total = count + back.size();
        return appended.thenCompose(done -> log.redriven(group, next))
                .thenCompose(done -> from(log, dlq, group, next, end, total));
    }
}
