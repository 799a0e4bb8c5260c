package dev.broker.transport.http.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.broker.api.AckMode;
import dev.broker.api.BrokerException;
import dev.broker.api.ConsumeRequest;
import dev.broker.api.Delivery;
import dev.broker.api.Durations;
import dev.broker.api.ErrorCode;
import dev.broker.api.GroupCreation;
import dev.broker.api.GroupName;
import dev.broker.api.GroupSettings;
import dev.broker.api.HealthReport;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.NewMessage;
import dev.broker.api.SettleResult;
import dev.broker.api.StartFrom;
import dev.broker.api.TopicAdmin;
import dev.broker.api.TopicInfo;
import dev.broker.api.TopicName;
import dev.broker.api.TopicStats;
import dev.broker.spi.BrokerConfig;
import dev.broker.spi.Principal;
import dev.broker.web.Access;
import dev.broker.web.json.JsonValues;
import dev.broker.web.json.WireJson;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ConnectionCallback;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.eclipse.jetty.server.Request;

/**
 * ApiResource serves the HTTP API (SPEC section 4). Bodies are read only as far as a valid request
 * could go. Long polls hold no thread: the request is suspended until the broker completes it.
 * Thread-safe: it holds no request state.
 */
@Path("/")
public final class ApiResource {
    /*
     * Every answer is JSON whatever the request's Accept header says (docs/decisions/0004-errors.md).
     * Asynchronous answers are resumed on a suspended AsyncResponse (see answer): a method that
     * returned a CompletionStage was answered 406 by Jersey to "Accept: application/json".
     */
    /** HEADER_PREFIX starts every request header that becomes a message header. */
    static final String HEADER_PREFIX = "x-msg-";
    private static final String JSON = MediaType.APPLICATION_JSON;
    private static final int MAX_HEADERS = 64;
    /** Management bodies (receipts, settings) are small; this bounds what is read of them. */
    static final int MAX_SMALL_BODY = 1024 * 1024;

    private final MessageBroker broker;
    private final TopicAdmin admin;
    private final BrokerConfig config;
    private final Access access;

    ApiResource(MessageBroker broker, TopicAdmin admin, BrokerConfig config, Access access) {
        this.broker = broker;
        this.admin = admin;
        this.config = config;
        this.access = access;
    }

    // ---- rights (docs/security.md) --------------------------------------------------------------

    private Principal mayConsume(Request http, TopicName topic) {
        Principal who = access.principal(http);
        if (!who.mayConsume(topic)) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + who.name() + "' may not consume from '" + topic + "'");
        }
        return who;
    }

    private void mayAdminister(Request http, String what) {
        Principal who = access.principal(http);
        if (!who.admin()) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + who.name() + "' may not " + what + ": that needs admin");
        }
    }

    // ---- consume ------------------------------------------------------------------------------

    @GET
    @Path("consume/{topic}")
    public void consume(@PathParam("topic") String topic, @QueryParam("group") String group,
                        @QueryParam("ack") String ack, @QueryParam("wait") String wait,
                        @Context Request http, @Suspended AsyncResponse response) {
        consume(http, response, topic, group, ack, wait, 1, got -> got.isEmpty() ? Response.noContent().build()
                : json(200, g -> WireJson.writeMessage(g, got.get(0))));
    }

    @GET
    @Path("consume/{topic}/batch")
    public void consumeBatch(@PathParam("topic") String topic, @QueryParam("group") String group,
                             @QueryParam("ack") String ack, @QueryParam("wait") String wait,
                             @QueryParam("limit") @DefaultValue("10") String limit, @Context Request http,
                             @Suspended AsyncResponse response) {
        try {
            int n = integer("limit", limit, 1, ConsumeRequest.MAX_LIMIT);
            consume(http, response, topic, group, ack, wait, n, got -> json(200, g -> {
                g.writeStartArray();
                for (Delivery d : got) {
                    WireJson.writeMessage(g, d);
                }
                g.writeEndArray();
            }));
        } catch (BrokerException e) {
            response.resume(Problems.of(e));
        }
    }

    private void consume(Request http, AsyncResponse response, String topic, String group, String ack, String wait, int limit,
                         Function<List<Delivery>, Response> answer) {
        CompletableFuture<List<Delivery>> pending;
        Principal who;
        try {
            TopicName name = TopicName.of(topic);
            who = mayConsume(http, name);
            ConsumeRequest request = new ConsumeRequest(name, group(group),
                    limit, ack == null ? AckMode.AUTO : AckMode.parse(ack), waitFor(wait));
            pending = broker.consume(request).toCompletableFuture();
        } catch (BrokerException e) {
            response.resume(Problems.of(e));
            return;
        }
        // A client that goes away gives up its long poll, so nothing is handed to it.
        response.register((ConnectionCallback) gone -> pending.cancel(false));
        pending.whenComplete((got, failure) -> {
            if (failure == null) {
                List<Delivery> bound = new ArrayList<>(got.size());
                for (Delivery d : got) {
                    bound.add(access.bind(who, d));
                }
                response.resume(answer.apply(bound));
            } else if (!pending.isCancelled()) {
                response.resume(problemOf(failure));
            }
        });
    }

    // ---- ack, nack, extend --------------------------------------------------------------------

    @POST
    @Path("ack/{topic}")
    public void ack(@PathParam("topic") String topic, @QueryParam("group") String group,
                                         @Context HttpHeaders headers, @Context Request http, InputStream body,
                                         @Suspended AsyncResponse response) {
        answer(response, async(() -> {
            TopicName name = TopicName.of(topic);
            Principal who = mayConsume(http, name);
            JsonBodies.Body b = smallBody(headers, body, Set.of(), Set.of("receipts"));
            GroupName g = group(group);
            return access.settle(who, receipts(b), rs -> broker.ack(name, g, rs)).thenApply(r -> settled("acked", r));
        }));
    }

    @POST
    @Path("nack/{topic}")
    public void nack(@PathParam("topic") String topic, @QueryParam("group") String group,
                                          @Context HttpHeaders headers, @Context Request http, InputStream body,
                                          @Suspended AsyncResponse response) {
        answer(response, async(() -> {
            TopicName name = TopicName.of(topic);
            Principal who = mayConsume(http, name);
            JsonBodies.Body b = smallBody(headers, body, Set.of("reason", "delay"), Set.of("receipts"));
            Duration delay = b.scalars().containsKey("delay") ? duration("delay", b.scalars().get("delay")) : Duration.ZERO;
            Optional<String> reason = Optional.ofNullable(b.scalars().get("reason"));
            GroupName g = group(group);
            return access.settle(who, receipts(b), rs -> broker.nack(name, g, rs, reason, delay))
                    .thenApply(r -> settled("nacked", r));
        }));
    }

    @POST
    @Path("extend/{topic}")
    public void extend(@PathParam("topic") String topic, @QueryParam("group") String group,
                                            @Context HttpHeaders headers, @Context Request http, InputStream body,
                                            @Suspended AsyncResponse response) {
        answer(response, async(() -> {
            TopicName name = TopicName.of(topic);
            Principal who = mayConsume(http, name);
            JsonBodies.Body b = smallBody(headers, body, Set.of(), Set.of("receipts"));
            GroupName g = group(group);
            return access.settle(who, receipts(b), rs -> broker.extend(name, g, rs)).thenApply(r -> settled("extended", r));
        }));
    }

    // ---- groups and topics --------------------------------------------------------------------

    @POST
    @Path("subscribe/{topic}")
    public Response subscribe(@PathParam("topic") String topic, @Context HttpHeaders headers, @Context Request http,
                              InputStream body) throws IOException {
        TopicName name = TopicName.of(topic);
        mayConsume(http, name);
        JsonBodies.Body b = smallBody(headers, body, Set.of("group", "startFrom", "ackTimeout", "maxDeliveries"), Set.of());
        if (!b.scalars().containsKey("group")) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "name the group to create: {\"group\":\"...\"}");
        }
        GroupName group = GroupName.of(b.scalars().get("group"));
        StartFrom from = b.scalars().containsKey("startFrom") ? StartFrom.parse(b.scalars().get("startFrom")) : StartFrom.EARLIEST;
        Duration ackTimeout = b.scalars().containsKey("ackTimeout") ? duration("ackTimeout", b.scalars().get("ackTimeout"))
                : config.ackTimeout();
        int maxDeliveries = b.scalars().containsKey("maxDeliveries")
                ? integer("maxDeliveries", b.scalars().get("maxDeliveries"), 1, 1000) : config.maxDeliveries();
        GroupCreation c = admin.createGroup(name, group, new GroupSettings(from, ackTimeout, maxDeliveries));
        return json(c.created() ? 201 : 200, g -> {
            g.writeStartObject();
            g.writeStringField("topic", c.topic().value());
            g.writeStringField("group", c.group().value());
            g.writeStringField("startFrom", c.settings().startFrom().wire());
            g.writeStringField("ackTimeout", Durations.format(c.settings().ackTimeout()));
            g.writeNumberField("maxDeliveries", c.settings().maxDeliveries());
            g.writeEndObject();
        });
    }

    @GET
    @Path("topics")
    public Response topics(@Context Request http) {
        Principal who = access.principal(http);
        // A principal sees the topics it may publish to or consume from; an admin sees every one.
        List<TopicInfo> topics = admin.topics().stream()
                .filter(t -> who.admin() || who.mayPublish(t.name()) || who.mayConsume(t.name())).toList();
        return json(200, g -> {
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
        });
    }

    @GET
    @Path("topics/{topic}/stats")
    public Response stats(@PathParam("topic") String topic, @Context Request http) {
        TopicName name = TopicName.of(topic);
        if (!access.principal(http).admin()) {
            mayConsume(http, name);
        }
        TopicStats s = admin.stats(name).orElseThrow(() -> notFound(name));
        return json(200, g -> {
            g.writeStartObject();
            g.writeStringField("topic", s.name().value());
            g.writeNumberField("messages", s.messages());
            g.writeNumberField("bytes", s.bytes());
            g.writeNumberField("firstOffset", s.firstOffset());
            g.writeNumberField("lastOffset", s.lastOffset());
            g.writeNumberField("published", s.published());
            g.writeNumberField("consumed", s.consumed());
            if (s.oldestMessageAge().isPresent()) {
                g.writeNumberField("oldestMessageAgeMs", s.oldestMessageAge().get().toMillis());
            } else {
                g.writeNullField("oldestMessageAgeMs");
            }
            g.writeNumberField("liveSubscribers", s.liveSubscribers());
            g.writeNumberField("dropped", s.dropped());
            g.writeNumberField("expired", s.expired());
            g.writeArrayFieldStart("groups");
            for (TopicStats.GroupStats gs : s.groups()) {
                g.writeStartObject();
                g.writeStringField("group", gs.name().value());
                g.writeNumberField("lag", gs.lag());
                g.writeNumberField("inFlight", gs.inFlight());
                g.writeNumberField("delivered", gs.delivered());
                g.writeNumberField("acked", gs.acked());
                g.writeNumberField("redelivered", gs.redelivered());
                g.writeNumberField("deadLettered", gs.deadLettered());
                g.writeNumberField("expired", gs.expired());
                if (gs.oldestUnackedAge().isPresent()) {
                    g.writeNumberField("oldestUnackedAgeMs", gs.oldestUnackedAge().get().toMillis());
                } else {
                    g.writeNullField("oldestUnackedAgeMs");
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    @GET
    @Path("topics/{topic}/messages")
    public Response browse(@PathParam("topic") String topic, @QueryParam("from") @DefaultValue("0") String from,
                           @QueryParam("limit") @DefaultValue("100") String limit, @Context Request http) {
        TopicName name = TopicName.of(topic);
        mayConsume(http, name);
        long start = longValue("from", from);
        int n = integer("limit", limit, 1, ConsumeRequest.MAX_LIMIT);
        List<Message> messages = admin.browse(name, start, n);
        return json(200, g -> {
            g.writeStartArray();
            for (Message m : messages) {
                WireJson.writeMessage(g, Delivery.broadcast(m));
            }
            g.writeEndArray();
        });
    }

    @POST
    @Path("topics/{topic}/dlq/redrive")
    public void redrive(@PathParam("topic") String topic, @QueryParam("group") String group,
                                             @Context Request http,
                                             @Suspended AsyncResponse response) {
        answer(response, async(() -> {
            TopicName name = TopicName.of(topic);
            mayAdminister(http, "redrive dead letters");
            if (group == null) {
                throw new BrokerException(ErrorCode.INVALID_PARAMETER, "name the group whose dead letters to redrive: ?group=");
            }
            return admin.redrive(name, GroupName.of(group)).thenApply(n -> json(200, g -> {
                g.writeStartObject();
                g.writeNumberField("redriven", n);
                g.writeEndObject();
            }));
        }));
    }

    @DELETE
    @Path("topics/{topic}")
    public Response delete(@PathParam("topic") String topic, @Context Request http) {
        TopicName name = TopicName.of(topic);
        mayAdminister(http, "delete topics");
        if (!admin.delete(name)) {
            throw notFound(name);
        }
        return Response.noContent().build();
    }

    @GET
    @Path("health")
    public Response health() {
        HealthReport h = admin.health();
        return json(h.up() ? 200 : 503, g -> {
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
    }

    @GET
    @Path("openapi.json")
    public Response openApi() {
        return Response.ok(OPENAPI, JSON).build();
    }

    private static final byte[] OPENAPI = openApiDocument();

    private static byte[] openApiDocument() {
        try (InputStream in = ApiResource.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the transport-http jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Work is a request that may refuse synchronously (bad input) or asynchronously (store). */
    @FunctionalInterface
    private interface Work {
        CompletionStage<Response> run() throws IOException;
    }

    /** answer resumes the suspended request with the stage's answer once it completes. */
    private static void answer(AsyncResponse response, CompletionStage<Response> stage) {
        stage.whenComplete((r, failure) -> response.resume(failure == null ? r : problemOf(failure)));
    }

    private static CompletionStage<Response> async(Work work) {
        CompletionStage<Response> stage;
        try {
            stage = work.run();
        } catch (BrokerException e) {
            return CompletableFuture.completedFuture(Problems.of(e));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(Problems.of(new BrokerException(ErrorCode.INVALID_JSON,
                    "the request body could not be read: " + e.getMessage())));
        }
        return stage.exceptionally(ApiResource::problemOf);
    }

    private static Response problemOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BrokerException b) {
            return Problems.of(b);
        }
        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
    }

    /** Writer writes a JSON body. */
    @FunctionalInterface
    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static Response json(int status, Writer writer) {
        return Response.status(status).type(JSON).entity(WireJson.bytes(writer::write)).build();
    }

    private static Response settled(String verb, SettleResult r) {
        return json(200, g -> {
            g.writeStartObject();
            g.writeNumberField(verb, r.settled());
            g.writeArrayFieldStart("stale");
            for (String s : r.stale()) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static BrokerException notFound(TopicName name) {
        return new BrokerException(ErrorCode.TOPIC_NOT_FOUND, "there is no topic " + name);
    }

    private static GroupName group(String group) {
        return group == null ? GroupName.DEFAULT : GroupName.of(group);
    }

    private static List<String> receipts(JsonBodies.Body b) {
        List<String> receipts = b.strings("receipts");
        if (receipts.isEmpty()) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the body must name at least one receipt: {\"receipts\":[...]}");
        }
        if (receipts.size() > ConsumeRequest.MAX_LIMIT) {
            throw new BrokerException(ErrorCode.BATCH_TOO_LARGE, "at most " + ConsumeRequest.MAX_LIMIT + " receipts per request");
        }
        return receipts;
    }

    private static Duration waitFor(String wait) {
        if (wait == null || wait.isEmpty()) {
            return Duration.ZERO;
        }
        Duration d = duration("wait", wait);
        if (d.compareTo(ConsumeRequest.MAX_WAIT) > 0) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "wait is at most 30s, not " + wait);
        }
        return d;
    }

    private static Duration duration(String name, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, name + ": " + e.getMessage());
        }
    }

    private static int integer(String name, String text, int min, int max) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BrokerException(ErrorCode.INVALID_PARAMETER, name + " must be a number from " + min + " to " + max
                + ", not '" + text + "'");
    }

    private static long longValue(String name, String text) {
        try {
            long n = Long.parseLong(text.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BrokerException(ErrorCode.INVALID_PARAMETER, name + " must be an offset (0 or more), not '" + text + "'");
    }

    private static JsonBodies.Body smallBody(HttpHeaders headers, InputStream body, Set<String> scalars, Set<String> arrays)
            throws IOException {
        requireJson(headers);
        return JsonBodies.object(read(body, MAX_SMALL_BODY, ErrorCode.BATCH_TOO_LARGE,
                "the body is over " + MAX_SMALL_BODY + " bytes"), scalars, arrays);
    }

    private static void requireJson(HttpHeaders headers) {
        MediaType type = headers.getMediaType();
        if (type != null && !(type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"))) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body is " + type.getType() + "/"
                    + type.getSubtype() + "; send it as application/json");
        }
    }

    private static byte[] read(InputStream body, int limit, ErrorCode code, String tooLarge) throws IOException {
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
