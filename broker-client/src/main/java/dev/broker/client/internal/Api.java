package dev.broker.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.broker.client.ConsumeOptions;
import dev.broker.client.Group;
import dev.broker.client.GroupSettings;
import dev.broker.client.Message;
import dev.broker.client.PublishOptions;
import dev.broker.client.Published;
import dev.broker.client.Settled;
import dev.broker.client.TopicInfo;
import dev.broker.client.TopicStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Api is the broker's HTTP API as calls: each builds its request, sends it and reads the answer.
 * Bad arguments are refused before anything is sent. Thread-safe.
 */
public final class Api {
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private final Http http;

    /** Api calls the broker through {@code http}. */
    public Api(Http http) {
        this.http = http;
    }

    /** publish stores one message; {@code json} is its data as JSON text. */
    public CompletableFuture<Published> publish(String topic, String json, Map<String, String> headers, PublishOptions options) {
        checkData(json, "the message");
        return http.post("publish/" + Http.segment(topic) + query(options), json, fields(headers, options)).thenApply(a -> {
            JsonNode n = a.json();
            return new Published(n.get("id").asText(), n.get("topic").asText(), n.get("offset").asLong(), a.status() == 200);
        });
    }

    /** publishBatch stores messages atomically, each with the same headers. */
    public CompletableFuture<List<Published>> publishBatch(String topic, List<String> json, Map<String, String> headers,
                                                           PublishOptions options) {
        if (json.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one message");
        }
        StringBuilder body = new StringBuilder().append('[');
        for (int i = 0; i < json.size(); i++) {
            checkData(json.get(i), "item " + i + " of the batch");
            body.append(i == 0 ? "" : ",").append(json.get(i));
        }
        body.append(']');
        return http.post("publish/batch/" + Http.segment(topic) + query(options), body.toString(), fields(headers, options))
                .thenApply(a -> {
            List<Published> out = new ArrayList<>();
            for (JsonNode m : a.json().get("messages")) {
                out.add(new Published(m.get("id").asText(), topic, m.get("offset").asLong(), a.status() == 200));
            }
            return out;
        });
    }

    private static void checkData(String json, String what) {
        Json.checkJson(json).ifPresent(why -> {
            throw new IllegalArgumentException(what + " is not one JSON value (" + why + "): "
                    + (json.length() > 80 ? json.substring(0, 80) + "..." : json));
        });
    }

    /** query is a publish's delay and ttl as query parameters, in milliseconds. */
    private static String query(PublishOptions options) {
        StringBuilder q = new StringBuilder();
        options.delay().ifPresent(d -> q.append(q.length() == 0 ? "?" : "&").append("delay=").append(d.toMillis()).append("ms"));
        options.ttl().ifPresent(d -> q.append(q.length() == 0 ? "?" : "&").append("ttl=").append(d.toMillis()).append("ms"));
        return q.toString();
    }

    private static Map<String, String> fields(Map<String, String> headers, PublishOptions options) {
        Map<String, String> out = headerFields(headers);
        options.idempotencyKey().ifPresent(k -> {
            if (k.indexOf('\r') >= 0 || k.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("the idempotency key has a line break");
            }
            out.put("Idempotency-Key", k);
        });
        return out;
    }

    private static Map<String, String> headerFields(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a header name: letters, digits, '-' and '_'");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("the value of header '" + name + "' has a line break");
            }
            out.put("X-Msg-" + name.toLowerCase(Locale.ROOT), value);
        });
        return out;
    }

    private static String query(ConsumeOptions o) {
        return "group=" + Http.segment(o.group()) + "&ack=" + o.ack().wire()
                + (o.waitTime().isZero() ? "" : "&wait=" + Json.duration(o.waitTime()));
    }

    /** consume takes at most one message. */
    public CompletableFuture<Optional<Message>> consume(String topic, ConsumeOptions o) {
        return Http.map(http.get("consume/" + Http.segment(topic) + "?" + query(o), o.waitTime()),
                a -> a.status() == 204 || a.body().isEmpty() ? Optional.<Message>empty() : Optional.of(Json.message(a.body())));
    }

    /** consumeBatch takes at most {@code limit} messages (1 to 1000). */
    public CompletableFuture<List<Message>> consumeBatch(String topic, int limit, ConsumeOptions o) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("a batch consume takes 1 to 1000 messages, not " + limit);
        }
        return Http.map(http.get("consume/" + Http.segment(topic) + "/batch?limit=" + limit + "&" + query(o), o.waitTime()),
                a -> Json.messageList(a.body()));
    }

    /** settle acks, nacks or extends receipts; {@code kind} is ack, nack or extend. */
    public CompletableFuture<Settled> settle(String kind, String topic, String group, Collection<String> receipts,
                                             Optional<String> reason, Duration delay) {
        if (receipts.isEmpty()) {
            throw new IllegalArgumentException("name at least one receipt to " + kind);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("receipts", List.copyOf(receipts));
        reason.filter(r -> !r.isEmpty()).ifPresent(r -> body.put("reason", r));
        if (!delay.isZero()) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("a nack delay is 0 or more, not " + delay);
            }
            body.put("delay", Json.duration(delay));
        }
        String counted = switch (kind) {
            case "ack" -> "acked";
            case "nack" -> "nacked";
            default -> "extended";
        };
        return http.post(kind + "/" + Http.segment(topic) + "?group=" + Http.segment(group), Json.write(body), Map.of())
                .thenApply(a -> {
                    JsonNode n = a.json();
                    List<String> stale = new ArrayList<>();
                    n.path("stale").forEach(s -> stale.add(s.asText()));
                    return new Settled(n.path(counted).asInt(), stale);
                });
    }

    /** createGroup makes a durable group, or finds the identical one. */
    public CompletableFuture<Group> createGroup(String topic, GroupSettings s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("group", s.group());
        body.put("startFrom", s.startFrom().wire());
        s.ackTimeout().ifPresent(d -> body.put("ackTimeout", Json.duration(d)));
        s.maxDeliveries().ifPresent(n -> body.put("maxDeliveries", Integer.toString(n)));
        return http.post("subscribe/" + Http.segment(topic), Json.write(body), Map.of()).thenApply(a -> {
            JsonNode n = a.json();
            return new Group(n.get("topic").asText(), n.get("group").asText(), n.get("startFrom").asText(),
                    Json.parseDuration(n.get("ackTimeout").asText()), n.get("maxDeliveries").asInt(), a.status() == 201);
        });
    }

    /** topics lists the topics. */
    public CompletableFuture<List<TopicInfo>> topics() {
        return http.get("topics", Duration.ZERO).thenApply(a -> {
            List<TopicInfo> out = new ArrayList<>();
            for (JsonNode t : a.json()) {
                out.add(new TopicInfo(t.get("name").asText(), t.get("messages").asLong(), t.get("firstOffset").asLong(),
                        t.get("lastOffset").asLong()));
            }
            return out;
        });
    }

    /** stats reads one topic's statistics. */
    public CompletableFuture<TopicStats> stats(String topic) {
        return http.get("topics/" + Http.segment(topic) + "/stats", Duration.ZERO).thenApply(a -> {
            JsonNode n = a.json();
            List<TopicStats.Group> groups = new ArrayList<>();
            for (JsonNode g : n.path("groups")) {
                groups.add(new TopicStats.Group(g.get("group").asText(), g.path("lag").asLong(), g.path("inFlight").asLong(),
                        g.path("delivered").asLong(), g.path("acked").asLong(), g.path("redelivered").asLong(),
                        g.path("deadLettered").asLong(), millis(g.path("oldestUnackedAgeMs"))));
            }
            return new TopicStats(n.get("topic").asText(), n.path("messages").asLong(), n.path("bytes").asLong(),
                    n.path("firstOffset").asLong(), n.path("lastOffset").asLong(), n.path("published").asLong(),
                    n.path("consumed").asLong(), millis(n.path("oldestMessageAgeMs")), n.path("liveSubscribers").asLong(),
                    n.path("dropped").asLong(), n.path("expired").asLong(), groups, a.body());
        });
    }

    private static Optional<Duration> millis(JsonNode n) {
        return n.isNumber() ? Optional.of(Duration.ofMillis(n.asLong())) : Optional.empty();
    }

    /** browse reads messages from an offset without leasing them. */
    public CompletableFuture<List<Message>> browse(String topic, long from, int limit) {
        if (from < 0) {
            throw new IllegalArgumentException("browse from an offset of 0 or more, not " + from);
        }
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("browse 1 to 1000 messages, not " + limit);
        }
        return http.get("topics/" + Http.segment(topic) + "/messages?from=" + from + "&limit=" + limit, Duration.ZERO)
                .thenApply(a -> Json.messageList(a.body()));
    }

    /** redrive hands a group's dead letters back to it. */
    public CompletableFuture<Long> redrive(String topic, String group) {
        return http.post("topics/" + Http.segment(topic) + "/dlq/redrive?group=" + Http.segment(group), "", Map.of())
                .thenApply(a -> a.json().get("redriven").asLong());
    }

    /** delete removes a topic, its messages and its groups. */
    public CompletableFuture<Void> delete(String topic) {
        return http.delete("topics/" + Http.segment(topic)).thenApply(a -> null);
    }
}
