package dev.broker.client;

import java.util.Locale;

/**
 * ErrorCode is the stable code of a refusal, the last segment of a problem's {@code type}
 * ({@code urn:broker:error:topic-full}) or the {@code code} of a WebSocket {@code error} frame.
 * A code this client does not know yet is {@link #UNKNOWN}; {@link BrokerRefusedException#codeText()}
 * keeps its text.
 */
public enum ErrorCode {
    INVALID_TOPIC, RESERVED_TOPIC, INVALID_GROUP, INVALID_JSON, INVALID_PARAMETER, INVALID_HEADER,
    MESSAGE_TOO_LARGE, BATCH_TOO_LARGE, REQUEST_TOO_LARGE, TOPIC_FULL, LIMIT_EXCEEDED,
    TOPIC_NOT_FOUND, GROUP_NOT_FOUND, GROUP_CONFLICT, STORE_UNAVAILABLE, NOT_SUBSCRIBED, INVALID_FRAME,
    NOT_IMPLEMENTED, FORBIDDEN, UNAUTHORIZED, NOT_FOUND, METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE,
    NOT_ACCEPTABLE, SHUTTING_DOWN, INTERNAL_ERROR,
    /** A code this version of the client does not know. */
    UNKNOWN;

    /** code is the code as the broker writes it: {@code topic-full}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** of is the code for its wire text, or {@link #UNKNOWN}. */
    public static ErrorCode of(String code) {
        try {
            ErrorCode c = valueOf(code.toUpperCase(Locale.ROOT).replace('-', '_'));
            return c;
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    /**
     * fromType reads the code at the end of a problem {@code type}: the text after the last
     * {@code :} or {@code /}.
     */
    public static ErrorCode fromType(String type) {
        return of(typeCode(type));
    }

    static String typeCode(String type) {
        int cut = Math.max(type.lastIndexOf(':'), type.lastIndexOf('/'));
        return type.substring(cut + 1);
    }
}
