package dev.broker.web.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * JsonValues checks JSON a client sent and cuts out the text of its values, so that message data
 * is kept exactly as received (numbers, spacing inside, key order). Stateless and thread-safe.
 */
public final class JsonValues {
    private JsonValues() {
    }

    /**
     * one checks that the bytes are exactly one JSON value and returns its text.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_JSON} naming where the JSON goes wrong
     */
    public static String one(byte[] json) {
        try (JsonParser p = WireJson.parser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new BrokerException(ErrorCode.INVALID_JSON, "the body is empty: send one JSON value");
            }
            String value = raw(p, json);
            if (p.nextToken() != null) {
                throw new BrokerException(ErrorCode.INVALID_JSON, "more than one JSON value " + where(p.currentTokenLocation())
                        + ": send one JSON value (use the batch endpoint for several)");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw invalid(e);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the body could not be read: " + e.getMessage());
        }
    }

    /**
     * items checks that the bytes are one JSON array of at most {@code maxItems} values and returns
     * the text of each item.
     *
     * @throws BrokerException {@link ErrorCode#INVALID_JSON} if it is not an array or not JSON,
     *                         {@link ErrorCode#BATCH_TOO_LARGE} past {@code maxItems}
     */
    public static List<String> items(byte[] json, int maxItems) {
        try (JsonParser p = WireJson.parser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new BrokerException(ErrorCode.INVALID_JSON, "the body must be a JSON array of messages");
            }
            List<String> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (items.size() == maxItems) {
                    throw new BrokerException(ErrorCode.BATCH_TOO_LARGE, "the batch has more than " + maxItems
                            + " messages (MAX_BATCH_SIZE)");
                }
                items.add(raw(p, json));
            }
            if (p.nextToken() != null) {
                throw new BrokerException(ErrorCode.INVALID_JSON, "unexpected content after the array "
                        + where(p.currentTokenLocation()));
            }
            return items;
        } catch (JsonProcessingException e) {
            throw invalid(e);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the body could not be read: " + e.getMessage());
        }
    }

    /**
     * raw returns the text of the value whose first token the parser is at, and leaves the parser
     * at its last token. The parser must read {@code source} from its first byte.
     */
    public static String raw(JsonParser p, byte[] source) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else if (t == null || t.isStructEnd() || t == JsonToken.FIELD_NAME) {
            throw new JsonParseException(p, "a JSON value was expected");
        } else {
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (start < 0 || end < start) {
            // Jackson takes a NUL byte around a value at the root for the end of the input and
            // loses track of where it is (found by FuzzTest): not JSON either way.
            throw new JsonParseException(p, "the body is not JSON (a NUL byte, or a value cut short)");
        }
        while (end > start && isSpace(source[end - 1])) {
            end--;
        }
        return new String(source, start, end - start, StandardCharsets.UTF_8);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == ',';
    }

    private static BrokerException invalid(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int cut = message.indexOf('\n');
        if (cut > 0) {
            message = message.substring(0, cut);
        }
        return new BrokerException(ErrorCode.INVALID_JSON, "the body is not valid JSON " + where(e.getLocation())
                + ": " + message);
    }

    private static String where(JsonLocation at) {
        return at == null ? "" : "at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
