package dev.broker.loadtest.internal;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Wire reads the few fields the tool needs from the broker's answers and frames, and writes JSON strings. */
final class Wire {
    private static final Pattern PROBLEM_TYPE = Pattern.compile("\"type\":\"urn:broker:error:([a-z0-9-]+)\"");

    private Wire() {
    }

    /** string is the first string field {@code field} in {@code json}; frames put {@code type} first. */
    static Optional<String> string(String json, String field) {
        // indexOf rather than a regex: this runs for every frame the tool receives.
        String key = "\"" + field + "\":\"";
        int start = json.indexOf(key);
        if (start < 0) {
            return Optional.empty();
        }
        start += key.length();
        int end = json.indexOf('"', start);
        if (end < 0 || json.lastIndexOf('\\', end) >= start) {
            return Optional.empty();
        }
        return Optional.of(json.substring(start, end));
    }

    /** type is a frame's {@code type}, which the broker writes first. */
    static String type(String frame) {
        String head = "{\"type\":\"";
        if (frame.startsWith(head)) {
            int end = frame.indexOf('"', head.length());
            if (end > 0) {
                return frame.substring(head.length(), end);
            }
        }
        return string(frame, "type").orElse("");
    }

    /** problem names an HTTP error answer by its status and the broker's error code, for the error counts. */
    static String problem(int status, String body) {
        Matcher m = PROBLEM_TYPE.matcher(body == null ? "" : body);
        return "HTTP " + status + (m.find() ? " " + m.group(1) : "");
    }

    /** quote is {@code text} as a JSON string. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
