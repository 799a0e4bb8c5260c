package dev.broker.transport.http.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.Delivery;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupName;
import dev.broker.api.HealthReport;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.NewMessage;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.spi.BrokerConfig;
import dev.broker.web.json.JsonValues;
import dev.broker.web.json.WireJson;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * ApiResource serves the HTTP API (SPEC section 4): publish, consume, topics and health. Bodies are
 * read only as far as a valid request could go. Thread-safe: it holds no request state.
 */
@Path("/")
public final class ApiResource {
    /** HEADER_PREFIX starts every request header that becomes a message header. */
    static final String HEADER_PREFIX = "x-msg-";
    private static final String JSON = MediaType.APPLICATION_JSON;
    private static final int MAX_HEADERS = 64;

    private final MessageBroker broker;
    private final BrokerConfig config;

    ApiResource(MessageBroker broker, BrokerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    @POST
    @Path("publish/{topic}")
    public CompletionStage<Response> publish(@PathParam("topic") String topic, @Context HttpHeaders headers,
                                             InputStream body) {
        return publishing(() -> {
            TopicName name = TopicName.of(topic);
            requireJson(headers);
            byte[] bytes = read(body, config.maxMessageSize(), "message data is over " + config.maxMessageSize()
                    + " bytes (MAX_MESSAGE_SIZE)", ErrorCode.MESSAGE_TOO_LARGE);
            NewMessage message = new NewMessage(JsonValues.one(bytes), messageHeaders(headers));
            return broker.publish(name, List.of(message)).thenApply(stored -> {
                Message m = stored.get(0);
                return created(WireJson.bytes(g -> {
                    g.writeStartObject();
                    g.writeStringField("id", m.id().toString());
                    g.writeStringField("topic", m.topic().value());
                    g.writeNumberField("offset", m.offset());
                    g.writeStringField("timestamp", WireJson.timestamp(m.timestamp()));
                    g.writeEndObject();
                }));
            });
        });
    }

    @POST
    @Path("publish/batch/{topic}")
    public CompletionStage<Response> publishBatch(@PathParam("topic") String topic, @Context HttpHeaders headers,
                                                  InputStream body) {
        return publishing(() -> {
            TopicName name = TopicName.of(topic);
            requireJson(headers);
            // The largest valid batch: every item at the size limit, with separators.
            long limit = Math.min((long) config.maxBatchSize() * (config.maxMessageSize() + 16L) + 16, Integer.MAX_VALUE - 16);
            byte[] bytes = read(body, (int) limit, "the batch body is over " + limit
                    + " bytes, more than MAX_BATCH_SIZE messages of MAX_MESSAGE_SIZE bytes", ErrorCode.BATCH_TOO_LARGE);
            List<String> items = JsonValues.items(bytes, config.maxBatchSize());
            Map<String, String> shared = messageHeaders(headers);
            List<NewMessage> batch = new ArrayList<>(items.size());
            for (String item : items) {
                batch.add(new NewMessage(item, shared));
            }
            return broker.publish(name, batch).thenApply(stored -> created(WireJson.bytes(g -> {
                g.writeStartObject();
                g.writeNumberField("count", stored.size());
                g.writeArrayFieldStart("messages");
                for (Message m : stored) {
                    g.writeStartObject();
                    g.writeStringField("id", m.id().toString());
                    g.writeNumberField("offset", m.offset());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            })));
        });
    }

    @GET
    @Path("consume/{topic}")
    public Response consume(@PathParam("topic") String topic, @QueryParam("group") String group,
                            @QueryParam("ack") String ack, @QueryParam("wait") String wait) {
        List<Delivery> got = consume(topic, group, ack, wait, 1);
        if (got.isEmpty()) {
            return Response.noContent().build();
        }
        return Response.ok(WireJson.bytes(g -> WireJson.writeMessage(g, got.get(0))), JSON).build();
    }

    @GET
    @Path("consume/{topic}/batch")
    public Response consumeBatch(@PathParam("topic") String topic, @QueryParam("group") String group,
                                 @QueryParam("ack") String ack, @QueryParam("wait") String wait,
                                 @QueryParam("limit") @DefaultValue("10") String limit) {
        int n = parseLimit(limit);
        List<Delivery> got = consume(topic, group, ack, wait, n);
        return Response.ok(WireJson.bytes(g -> {
            g.writeStartArray();
            for (Delivery d : got) {
                WireJson.writeMessage(g, d);
            }
            g.writeEndArray();
        }), JSON).build();
    }

    @GET
    @Path("topics")
    public Response topics() {
        List<TopicInfo> topics = broker.topics();
        return Response.ok(WireJson.bytes(g -> {
            g.writeStartArray();
            for (TopicInfo t : topics) {
                g.writeStartObject();
                g.writeStringField("name", t.name().value());
                g.writeNumberField("messages", t.messages());
                g.writeNumberField("firstOffset", t.firstOffset());
                g.writeNumberField("lastOffset", t.lastOffset());
                g.writeEndObject();
            }
            g.writeEndArray();
        }), JSON).build();
    }

    @GET
    @Path("health")
    public Response health() {
        HealthReport h = broker.health();
        byte[] body = WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("status", h.up() ? "UP" : "DOWN");
            g.writeObjectFieldStart("store");
            g.writeStringField("name", h.store());
            g.writeBooleanField("durable", h.storeDurable());
            g.writeStringField("status", h.storeProblem().isEmpty() ? "UP" : "DOWN");
            if (h.storeProblem().isPresent()) {
                g.writeStringField("problem", h.storeProblem().get());
            }
            g.writeEndObject();
            g.writeNumberField("uptimeSeconds", h.uptime().toSeconds());
            g.writeStringField("version", h.version());
            g.writeEndObject();
        });
        return Response.status(h.up() ? 200 : 503).type(JSON).entity(body).build();
    }

    private List<Delivery> consume(String topic, String group, String ack, String wait, int limit) {
        TopicName name = TopicName.of(topic);
        GroupName groupName = group == null ? GroupName.DEFAULT : GroupName.of(group);
        if (ack != null && !ack.equals("auto")) {
            if (ack.equals("manual")) {
                throw new BrokerException(ErrorCode.NOT_IMPLEMENTED, "ack=manual is not available yet in this version;"
                        + " use ack=auto");
            }
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "ack must be auto or manual, not '" + ack + "'");
        }
        if (wait != null) {
            throw new BrokerException(ErrorCode.NOT_IMPLEMENTED, "wait (long polling) is not available yet in this"
                    + " version; poll without it");
        }
        return broker.consume(name, groupName, limit);
    }

    private static int parseLimit(String limit) {
        try {
            int n = Integer.parseInt(limit.trim());
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BrokerException(ErrorCode.INVALID_PARAMETER, "limit must be a number from 1 to 1000, not '" + limit + "'");
    }

    /** Work is a publish that may refuse synchronously (bad input) or asynchronously (store). */
    @FunctionalInterface
    private interface Work {
        CompletionStage<Response> run() throws IOException;
    }

    private static CompletionStage<Response> publishing(Work work) {
        CompletionStage<Response> stage;
        try {
            stage = work.run();
        } catch (BrokerException e) {
            return CompletableFuture.completedFuture(Problems.of(e));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(Problems.of(new BrokerException(ErrorCode.INVALID_JSON,
                    "the request body could not be read: " + e.getMessage())));
        }
        return stage.exceptionally(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof BrokerException b) {
                return Problems.of(b);
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        });
    }

    private static Response created(byte[] body) {
        return Response.status(201).type(JSON).entity(body).build();
    }

    private static void requireJson(HttpHeaders headers) {
        MediaType type = headers.getMediaType();
        if (type != null && !(type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"))) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body is " + type.getType() + "/"
                    + type.getSubtype() + "; send it as application/json");
        }
    }

    private static byte[] read(InputStream body, int limit, String tooLarge, ErrorCode code) throws IOException {
        byte[] bytes = body.readNBytes(limit + 1);
        if (bytes.length > limit) {
            throw new BrokerException(code, tooLarge);
        }
        return bytes;
    }

    private static Map<String, String> messageHeaders(HttpHeaders headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> h : headers.getRequestHeaders().entrySet()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!lower.startsWith(HEADER_PREFIX)) {
                continue;
            }
            String name = lower.substring(HEADER_PREFIX.length());
            if (name.isEmpty()) {
                throw new BrokerException(ErrorCode.INVALID_HEADER, "the header X-Msg- needs a name after the prefix");
            }
            if (out.size() == MAX_HEADERS) {
                throw new BrokerException(ErrorCode.INVALID_HEADER, "a message may have at most " + MAX_HEADERS + " headers");
            }
            out.put(name, String.join(", ", h.getValue()));
        }
        return out;
    }
}
