package dev.broker.auth.token.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.broker.api.BrokerException;
import dev.broker.api.TopicPattern;
import dev.broker.spi.Principal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * TokensFile reads {@code AUTH_TOKENS_FILE}: a JSON array of
 * {@code {"name", "sha256", "publish": [patterns], "consume": [patterns], "admin": bool}}, the
 * token kept only as the hex SHA-256 of its bytes. Stateless; {@link #read} makes an immutable map.
 */
final class TokensFile {
    /** A tokens file is small: a million entries fit in far less. */
    private static final long MAX_BYTES = 64L << 20;
    private static final JsonFactory JSON = new JsonFactory();

    private TokensFile() {
    }

    /**
     * read parses the file into principals by the SHA-256 (lowercase hex) of their token.
     *
     * @throws IOException with a message that names the file and what is wrong in it
     */
    static Map<String, Principal> read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is larger than " + MAX_BYTES + " bytes");
        }
        Map<String, Principal> byHash = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (JsonParser p = JSON.createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException(file + " must hold a JSON array of tokens");
            }
            int index = 0;
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Entry e = entry(p, file, index);
                if (byHash.containsKey(e.sha256)) {
                    throw new IOException(file + ": tokens " + names.get(e.sha256) + " and " + e.name + " are the same token");
                }
                byHash.put(e.sha256, Principal.of(e.name, e.publish, e.consume, e.admin, Optional.empty()));
                names.put(e.sha256, e.name);
                index++;
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new IOException(file + ": entry " + index + " is not an object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return Map.copyOf(byHash);
    }

    private record Entry(String name, String sha256, List<TopicPattern> publish, List<TopicPattern> consume, boolean admin) {
    }

    private static Entry entry(JsonParser p, Path file, int index) throws IOException {
        String name = null;
        String sha = null;
        List<TopicPattern> publish = List.of();
        List<TopicPattern> consume = List.of();
        boolean admin = false;
        String where = file + ": entry " + index;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = text(p, value, where, field);
                case "sha256" -> sha = text(p, value, where, field).toLowerCase(Locale.ROOT);
                case "publish" -> publish = patterns(p, value, where, field);
                case "consume" -> consume = patterns(p, value, where, field);
                case "admin" -> {
                    if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
                        throw new IOException(where + ": admin must be true or false");
                    }
                    admin = value == JsonToken.VALUE_TRUE;
                }
                default -> throw new IOException(where + ": unknown field '" + field
                        + "' (fields: name, sha256, publish, consume, admin)");
            }
        }
        if (name == null || name.isBlank()) {
            throw new IOException(where + " has no name");
        }
        if (sha == null || sha.length() != 64 || !isHex(sha)) {
            throw new IOException(where + " (" + name + ") needs sha256: the 64 hex digits of the token's SHA-256");
        }
        return new Entry(name, sha, publish, consume, admin);
    }

    private static boolean isHex(String s) {
        try {
            HexFormat.of().parseHex(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String text(JsonParser p, JsonToken value, String where, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IOException(where + ": " + field + " must be a string");
        }
        return p.getText();
    }

    private static List<TopicPattern> patterns(JsonParser p, JsonToken value, String where, String field) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new IOException(where + ": " + field + " must be an array of topic patterns");
        }
        List<TopicPattern> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw new IOException(where + ": " + field + " must be an array of topic patterns");
            }
            try {
                out.add(TopicPattern.of(p.getText()));
            } catch (BrokerException e) {
                throw new IOException(where + ": " + field + ": " + e.detail());
            }
        }
        return out;
    }
}
