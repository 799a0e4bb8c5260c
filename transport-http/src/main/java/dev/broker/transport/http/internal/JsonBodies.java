package dev.broker.transport.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.broker.api.BrokerException;
import dev.broker.api.ErrorCode;
import dev.broker.web.json.WireJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JsonBodies reads the small JSON objects the management endpoints take (receipts, subscription
 * settings) into plain values: strings, numbers as text, and lists of strings. Unknown fields are
 * refused, so a typo is an error rather than a silently ignored setting. Stateless.
 */
final class JsonBodies {
    private JsonBodies() {
    }

    /** Body is a read object: scalar fields as text, and string arrays. */
    record Body(Map<String, String> scalars, Map<String, List<String>> arrays) {
        List<String> strings(String field) {
            return arrays.getOrDefault(field, List.of());
        }
    }

    static Body object(byte[] json, Set<String> scalarFields, Set<String> arrayFields) {
        if (json.length == 0) {
            return new Body(Map.of(), Map.of());
        }
        Map<String, String> scalars = new LinkedHashMap<>();
        Map<String, List<String>> arrays = new LinkedHashMap<>();
        try (JsonParser p = WireJson.parser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BrokerException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (arrayFields.contains(field)) {
                    if (t != JsonToken.START_ARRAY) {
                        throw new BrokerException(ErrorCode.INVALID_JSON, "'" + field + "' must be an array of strings");
                    }
                    List<String> values = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.VALUE_STRING) {
                            throw new BrokerException(ErrorCode.INVALID_JSON, "'" + field + "' must be an array of strings");
                        }
                        values.add(p.getText());
                    }
                    arrays.put(field, values);
                } else if (scalarFields.contains(field)) {
                    if (t == JsonToken.VALUE_NULL) {
                        continue;
                    }
                    if (!t.isScalarValue()) {
                        throw new BrokerException(ErrorCode.INVALID_JSON, "'" + field + "' must be a string or a number");
                    }
                    scalars.put(field, p.getText());
                } else {
                    List<String> known = new ArrayList<>(scalarFields);
                    known.addAll(arrayFields);
                    throw new BrokerException(ErrorCode.INVALID_JSON, "unknown field '" + field + "'; the body takes " + known);
                }
            }
            if (p.nextToken() != null) {
                throw new BrokerException(ErrorCode.INVALID_JSON, "the body must be exactly one JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the body is not valid JSON: " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new BrokerException(ErrorCode.INVALID_JSON, "the body could not be read");
        }
        return new Body(scalars, arrays);
    }
}
