package dev.broker.api;

/**
 * ErrorCode is the stable code of everything the broker refuses. The same code appears at the end
 * of an HTTP problem's {@code type}, in a WebSocket {@code error} frame's {@code code} and in the
 * logs, so an operator can grep and alert on it. Codes are never renamed; new ones may be added.
 */
public enum ErrorCode {
    /** INVALID_TOPIC: a topic name or pattern is malformed, or a pattern was given where a topic is needed. */
    INVALID_TOPIC("invalid-topic"),
    /** RESERVED_TOPIC: a client tried to write a {@code dlq.} topic, which only the broker writes. */
    RESERVED_TOPIC("reserved-topic"),
    /** INVALID_GROUP: a group name is malformed. */
    INVALID_GROUP("invalid-group"),
    /** INVALID_JSON: a body or frame is not well-formed JSON of the expected shape. */
    INVALID_JSON("invalid-json"),
    /** INVALID_PARAMETER: a query parameter or frame field has a value outside what it accepts. */
    INVALID_PARAMETER("invalid-parameter"),
    /** INVALID_HEADER: a message header name or value is not acceptable. */
    INVALID_HEADER("invalid-header"),
    /** MESSAGE_TOO_LARGE: one message's data is over {@code MAX_MESSAGE_SIZE}. */
    MESSAGE_TOO_LARGE("message-too-large"),
    /** BATCH_TOO_LARGE: a batch has more than {@code MAX_BATCH_SIZE} items. */
    BATCH_TOO_LARGE("batch-too-large"),
    /** REQUEST_TOO_LARGE: an HTTP request body is over {@code MAX_REQUEST_SIZE}, said by its header or its bytes. */
    REQUEST_TOO_LARGE("request-too-large"),
    /** TOPIC_FULL: the topic holds {@code MAX_QUEUE_SIZE} messages that some group has not finished. */
    TOPIC_FULL("topic-full"),
    /** LIMIT_EXCEEDED: one more topic, group or subscription than {@code MAX_TOPICS}, {@code MAX_GROUPS_PER_TOPIC} or {@code WS_MAX_SUBSCRIPTIONS} allows. */
    LIMIT_EXCEEDED("limit-exceeded"),
    /** TOPIC_NOT_FOUND: the topic does not exist. */
    TOPIC_NOT_FOUND("topic-not-found"),
    /** GROUP_NOT_FOUND: the group does not exist on the topic. */
    GROUP_NOT_FOUND("group-not-found"),
    /** GROUP_CONFLICT: a group exists with other settings than the ones asked for. */
    GROUP_CONFLICT("group-conflict"),
    /** STORE_UNAVAILABLE: the message store cannot write (disk full, file locked, closed). */
    STORE_UNAVAILABLE("store-unavailable"),
    /** NOT_SUBSCRIBED: a WebSocket unsubscribe names a subscription the connection does not have. */
    NOT_SUBSCRIBED("not-subscribed"),
    /** INVALID_FRAME: a WebSocket frame has an unknown type or lacks a field its type needs. */
    INVALID_FRAME("invalid-frame"),
    /** NOT_IMPLEMENTED: the request is valid but this version of the broker does not do it yet. */
    NOT_IMPLEMENTED("not-implemented"),
    /** FORBIDDEN: the request is understood but not allowed (for example a WebSocket from an origin not in {@code WS_ALLOWED_ORIGINS}). */
    FORBIDDEN("forbidden"),
    /** UNAUTHORIZED: authentication is on and the request has no valid token (docs/security.md). */
    UNAUTHORIZED("unauthorized"),
    /** NOT_FOUND: no such path. */
    NOT_FOUND("not-found"),
    /** METHOD_NOT_ALLOWED: the path exists but not with this method. */
    METHOD_NOT_ALLOWED("method-not-allowed"),
    /** UNSUPPORTED_MEDIA_TYPE: the request body's content type is not JSON. */
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type"),
    /** NOT_ACCEPTABLE: the client accepts no type the broker can answer with. */
    NOT_ACCEPTABLE("not-acceptable"),
    /** SHUTTING_DOWN: the broker is stopping and takes no new work. */
    SHUTTING_DOWN("shutting-down"),
    /** INTERNAL_ERROR: a fault in the broker itself; the log has the details. */
    INTERNAL_ERROR("internal-error");

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    /** code is the stable text of this error, such as {@code topic-full}. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
