package dev.broker.web.json;

import dev.broker.api.ErrorCode;

/**
 * Problem writes RFC 9457 problem details: {@code {"type","title","status","detail"}}, where
 * {@code type} ends in the stable error code. Stateless and thread-safe.
 */
public final class Problem {
    /** MEDIA_TYPE is the content type of a problem. */
    public static final String MEDIA_TYPE = "application/problem+json";
    /** TYPE_PREFIX starts every problem type; the error code follows it. */
    public static final String TYPE_PREFIX = "urn:broker:error:";

    private Problem() {
    }

    /** json writes a problem for an error code, HTTP status and detail. */
    public static byte[] json(ErrorCode code, int status, String detail) {
        return WireJson.bytes(g -> {
            g.writeStartObject();
            g.writeStringField("type", TYPE_PREFIX + code.code());
            g.writeStringField("title", title(code));
            g.writeNumberField("status", status);
            g.writeStringField("detail", detail);
            g.writeEndObject();
        });
    }

    /** title is the short summary of an error code, the same for every occurrence. */
    public static String title(ErrorCode code) {
        String words = code.code().replace('-', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
