package dev.broker.transport.http.internal;

import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.api.Message;
import dev.broker.api.MessageBroker;
import dev.broker.api.NewMessage;
import dev.broker.api.PublishOptions;
import dev.broker.api.TopicName;
import dev.broker.spi.Principal;
import dev.broker.web.Access;
import dev.broker.spi.BrokerConfig;
import dev.broker.web.json.JsonValues;
import dev.broker.web.json.Problem;
import dev.broker.web.json.WireJson;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PublishHandler serves {@code POST /publish/{topic}} and {@code POST /publish/batch/{topic}}
 * straight on Jetty's core API: the hottest request of the broker skips the JAX-RS machinery
 * (docs/BENCHMARKS.md holds it to 80 % of a trivial POST on the same Jetty). It reads the body
 * without blocking and stops as soon as it is larger than any valid request could be, then answers
 * once the store has the messages. Every other endpoint is Jersey's ({@link ApiResource}).
 * Thread-safe: it holds no request state.
 */
final class PublishHandler extends Handler.Abstract.NonBlocking {
    private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);
    /** PATH_SPEC is where the handler is routed; {@link #ROUTES} are what it serves there. */
    static final String PATH_SPEC = "/publish/*";
    static final List<String> ROUTES = List.of("POST /publish/{topic}", "POST /publish/batch/{topic}");
    private static final String PREFIX = "/publish/";
    private static final String BATCH = "batch/";
    private static final int MAX_HEADERS = 64;
    /** IDEMPOTENCY_KEY names the request header that makes a publish idempotent; REPLAYED marks the answer to a repeat. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REPLAYED = "Idempotent-Replayed";

    /** A body's buffer starts at most this large, whatever its Content-Length says, and grows with what arrives. */
    private static final int FIRST_BUFFER = 64 << 10;

    private final MessageBroker broker;
    private final int maxMessageSize;
    private final int maxBatchSize;
    private final int maxBatchBody;
    private final boolean batchBoundByRequestSize;

    private final Access access;

    PublishHandler(MessageBroker broker, BrokerConfig config, Access access) {
        this.broker = broker;
        this.access = access;
        this.maxMessageSize = config.maxMessageSize();
        this.maxBatchSize = config.maxBatchSize();
        // The largest valid batch (every item at the size limit, with separators), but never over
        // MAX_REQUEST_SIZE (docs/limits.md).
        long largestBatch = (long) config.maxBatchSize() * (config.maxMessageSize() + 16L) + 16;
        this.batchBoundByRequestSize = largestBatch > config.maxRequestSize();
        this.maxBatchBody = (int) Math.min(largestBatch, config.maxRequestSize());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        boolean batch = path.startsWith(PREFIX + BATCH);
        String topicText = path.substring(batch ? PREFIX.length() + BATCH.length() : Math.min(path.length(), PREFIX.length()));
        if (!path.startsWith(PREFIX) || topicText.isEmpty() || topicText.indexOf('/') >= 0) {
            problem(response, callback, new BrokerException(ErrorCode.NOT_FOUND, "no such path: " + path), 404);
            return true;
        }
        if (!"POST".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            problem(response, callback, new BrokerException(ErrorCode.METHOD_NOT_ALLOWED,
                    "this path does not take that method; it takes [POST]"), 405);
            return true;
        }
        try {
            TopicName topic = TopicName.of(topicText);
            Principal who = access.principal(request);
            if (!who.mayPublish(topic)) {
                throw new BrokerException(ErrorCode.FORBIDDEN, "the token of '" + who.name() + "' may not publish to '" + topic + "'");
            }
            requireJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
            Map<String, String> headers = messageHeaders(request);
            int limit = batch ? maxBatchBody : maxMessageSize;
            if (request.getLength() > limit) {
                throw tooLarge(batch, limit);
            }
            readBody(request, limit, body -> {
                try {
                    // Read once the body is in: a refusal before it would leave the body unread and the
                    // connection closed under a client that may reuse it.
                    PublishOptions options = options(request);
                    List<NewMessage> messages = new ArrayList<>();
                    if (batch) {
                        for (String item : JsonValues.items(body, maxBatchSize)) {
                            messages.add(new NewMessage(item, headers));
                        }
                    } else {
                        messages.add(new NewMessage(JsonValues.one(body), headers));
                    }
                    // The answer is written on the web server's pool, not on the thread that completes
                    // the store's write (the MVStore completer, one thread for every topic): writing
                    // every answer there held HTTP publish at 30-32k req/s; 46k here (docs/BENCHMARKS.md).
                    if (options.isNone()) {
                        broker.publish(topic, messages).whenCompleteAsync((stored, failure) -> {
                            if (failure == null) {
                                json(response, callback, 201, batch ? batchJson(stored) : publishedJson(stored.get(0)));
                            } else {
                                fail(response, callback, failure);
                            }
                        }, request.getComponents().getExecutor());
                        return;
                    }
                    broker.publish(topic, messages, options).whenCompleteAsync((published, failure) -> {
                        if (failure != null) {
                            fail(response, callback, failure);
                            return;
                        }
                        List<Message> stored = published.messages();
                        if (published.replayed()) {
                            response.getHeaders().put(REPLAYED, "true");
                        }
                        json(response, callback, published.replayed() ? 200 : 201,
                                batch ? batchJson(stored) : publishedJson(stored.get(0)));
                    }, request.getComponents().getExecutor());
                } catch (RuntimeException e) {
                    fail(response, callback, e);
                }
            }, failure -> fail(response, callback, unreadable(failure)), () -> fail(response, callback, tooLarge(batch, limit)));
        } catch (RuntimeException e) {
            // Refused before its body was read: Jetty will not keep a connection whose request body
            // is unread, so the answer says so and the client does not reuse it (docs/security.md).
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            fail(response, callback, e);
        }
        return true;
    }

    /**
     * readBody reads the whole body without blocking, giving up as soon as it is over {@code limit}.
     * The buffer grows with the bytes that arrive: a header that announces a large body reserves
     * nothing (docs/limits.md).
     */
    private static void readBody(Request request, int limit, Consumer<byte[]> done, Consumer<Throwable> failed,
                                 Runnable tooLarge) {
        new Runnable() {
            private byte[] buffer = new byte[(int) Math.min(limit, Math.min(FIRST_BUFFER, Math.max(request.getLength(), 256)))];
            private int size;

            @Override
            public void run() {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        request.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        failed.accept(chunk.getFailure());
                        return;
                    }
                    ByteBuffer bytes = chunk.getByteBuffer();
                    int n = bytes.remaining();
                    if (size + (long) n > limit) {
                        chunk.release();
                        tooLarge.run();
                        return;
                    }
                    if (size + n > buffer.length) {
                        buffer = Arrays.copyOf(buffer, (int) Math.min(limit, Math.max((long) buffer.length * 2, size + n)));
                    }
                    bytes.get(buffer, size, n);
                    size += n;
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        done.accept(size == buffer.length ? buffer : Arrays.copyOf(buffer, size));
                        return;
                    }
                }
            }
        }.run();
    }

    private BrokerException tooLarge(boolean batch, int limit) {
        if (batch && batchBoundByRequestSize) {
            return new BrokerException(ErrorCode.REQUEST_TOO_LARGE, "the request body is over " + limit
                    + " bytes (MAX_REQUEST_SIZE)");
        }
        return batch
                ? new BrokerException(ErrorCode.BATCH_TOO_LARGE, "the batch body is over " + limit
                        + " bytes, more than MAX_BATCH_SIZE messages of MAX_MESSAGE_SIZE bytes")
                : new BrokerException(ErrorCode.MESSAGE_TOO_LARGE, "message data is over " + limit
                        + " bytes (MAX_MESSAGE_SIZE)");
    }

    private static void requireJson(String contentType) {
        if (contentType == null) {
            return;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!(type.endsWith("/json") || type.endsWith("+json"))) {
            throw new BrokerException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body is " + type + "; send it as application/json");
        }
    }

    /**
     * options reads a publish's {@code delay} and {@code ttl} query parameters and its
     * {@code Idempotency-Key} header (docs/scheduled-and-idempotent.md); a batch shares them.
     */
    private static PublishOptions options(Request request) {
        String key = request.getHeaders().get(IDEMPOTENCY_KEY);
        String query = request.getHttpURI().getQuery();
        if (key == null && query == null) {
            return PublishOptions.NONE;
        }
        Optional<String> delay = Optional.empty();
        Optional<String> ttl = Optional.empty();
        if (query != null) {
            Fields fields = Request.extractQueryParameters(request);
            for (Fields.Field f : fields) {
                switch (f.getName()) {
                    case "delay" -> delay = Optional.of(single(f));
                    case "ttl" -> ttl = Optional.of(single(f));
                    default -> throw new BrokerException(ErrorCode.INVALID_PARAMETER, "unknown query parameter '" + f.getName()
                            + "': a publish takes delay and ttl");
                }
            }
        }
        return PublishOptions.of(delay, ttl, Optional.ofNullable(key));
    }

    private static String single(Fields.Field f) {
        if (f.getValues().size() != 1) {
            throw new BrokerException(ErrorCode.INVALID_PARAMETER, "the query parameter '" + f.getName() + "' is given more than once");
        }
        return f.getValue();
    }

    private static Map<String, String> messageHeaders(Request request) {
        Map<String, String> out = Map.of();
        for (HttpField field : request.getHeaders()) {
            String name = field.getName();
            if (name.length() < ApiResource.HEADER_PREFIX.length()
                    || !name.regionMatches(true, 0, ApiResource.HEADER_PREFIX, 0, ApiResource.HEADER_PREFIX.length())) {
                continue;
            }
            String key = name.substring(ApiResource.HEADER_PREFIX.length()).toLowerCase(Locale.ROOT);
            if (key.isEmpty()) {
                throw new BrokerException(ErrorCode.INVALID_HEADER, "the header X-Msg- needs a name after the prefix");
            }
            if (out.isEmpty()) {
                out = new LinkedHashMap<>();
            }
            if (out.size() == MAX_HEADERS && !out.containsKey(key)) {
                throw new BrokerException(ErrorCode.INVALID_HEADER, "a message may have at most " + MAX_HEADERS + " headers");
            }
            out.merge(key, field.getValue(), (a, b) -> a + ", " + b);
        }
        return out;
    }

    private static byte[] publishedJson(Message m) {
        return WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("id", m.id().toString());
            g.writeStringField("topic", m.topic().value());
            g.writeNumberField("offset", m.offset());
            g.writeStringField("timestamp", WireJson.timestamp(m.timestamp()));
            g.writeEndObject();
        });
    }

    private static byte[] batchJson(List<Message> stored) {
        return WireJson.bytes(g -> {
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
        });
    }

    /**
     * unreadable is the answer to a body that could not be read: a malformed chunked encoding, a
     * body shorter than its Content-Length. The client's fault, so 400, not 500 (found by HttpFuzzTest).
     */
    private static BrokerException unreadable(Throwable failure) {
        String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return new BrokerException(ErrorCode.INVALID_JSON, "the body could not be read: " + why);
    }

    private static void fail(Response response, Callback callback, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof BrokerException b) {
            problem(response, callback, b, Problems.status(b.code()));
            return;
        }
        LOG.error("publish failed", cause);
        problem(response, callback, new BrokerException(ErrorCode.INTERNAL_ERROR,
                "the broker failed to handle the request; see its log"), 500);
    }

    private static void problem(Response response, Callback callback, BrokerException e, int status) {
        e.retryAfter().ifPresent(d -> response.getHeaders().put(HttpHeader.RETRY_AFTER,
                Long.toString(Math.max(1, (d.toMillis() + 999) / 1000))));
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(Problem.json(e.code(), status, e.detail())), callback);
    }

    private static void json(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
