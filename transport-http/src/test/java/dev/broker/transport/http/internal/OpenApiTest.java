package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.broker.core.Broker;
import dev.broker.core.Settings;
import dev.broker.web.json.WireJson;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenApiTest keeps /openapi.json true: every route the server has is in it, and every route in it answers. */
class OpenApiTest {
    private static Broker broker;
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        broker = Broker.start(Settings.fromEnvironment(Map.of("PORT", "0", "PERSISTENCE_ENABLED", "false")));
        base = URI.create("http://127.0.0.1:" + broker.endpoints().get(0).getPort() + "/");
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Set<String> documentedRoutes() throws Exception {
        byte[] doc = HTTP.send(HttpRequest.newBuilder(base.resolve("openapi.json")).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        Set<String> routes = new TreeSet<>();
        try (JsonParser p = WireJson.parser(doc)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("paths")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String path = p.currentName();
                    p.nextToken();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        routes.add(p.currentName().toUpperCase() + " " + path);
                        p.nextToken();
                        p.skipChildren();
                    }
                }
            }
        }
        return routes;
    }

    private static Set<String> serverRoutes() {
        Set<String> routes = new TreeSet<>(PublishHandler.ROUTES);
        for (Method m : ApiResource.class.getMethods()) {
            Path path = m.getAnnotation(Path.class);
            String verb = m.isAnnotationPresent(GET.class) ? "GET" : m.isAnnotationPresent(POST.class) ? "POST"
                    : m.isAnnotationPresent(DELETE.class) ? "DELETE" : null;
            if (path != null && verb != null) {
                routes.add(verb + " /" + path.value());
            }
        }
        return routes;
    }

    @Test
    void everyRouteOfTheServerIsDocumentedAndNothingElse() throws Exception {
        assertEquals(serverRoutes(), documentedRoutes());
    }

    @Test
    void everyOperationHasItsOwnOperationIdAndTheDocumentSaysItIsOpen() throws Exception {
        String doc = HTTP.send(HttpRequest.newBuilder(base.resolve("openapi.json")).build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"operationId\"\\s*:\\s*\"([A-Za-z]+)\"").matcher(doc);
        java.util.List<String> ids = new java.util.ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertEquals(documentedRoutes().size(), ids.size(), "one operationId an operation: " + ids);
        assertEquals(ids.size(), new TreeSet<>(ids).size(), "operationIds are unique: " + ids);
        // No authentication yet: the document says so, for every operation, rather than leaving it unsaid.
        assertTrue(doc.contains("\"security\": []"), "the document declares its (empty) security");
    }

    @Test
    void everyDocumentedRouteAnswers() throws Exception {
        HTTP.send(HttpRequest.newBuilder(base.resolve("publish/openapi.check")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("1")).build(), HttpResponse.BodyHandlers.ofString());
        HTTP.send(HttpRequest.newBuilder(base.resolve("subscribe/openapi.check")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"group\":\"g\"}")).build(), HttpResponse.BodyHandlers.ofString());
        for (String route : documentedRoutes()) {
            String[] parts = route.split(" ", 2);
            String path = parts[1].substring(1).replace("{topic}", "openapi.check");
            String query = path.startsWith("topics/openapi.check/dlq") ? "?group=g" : "";
            HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path + query)).header("Content-Type", "application/json");
            String body = path.startsWith("ack") || path.startsWith("nack") || path.startsWith("extend")
                    ? "{\"receipts\":[\"0.1\"]}" : path.startsWith("subscribe") ? "{\"group\":\"g\"}" : "[1]";
            r = switch (parts[0]) {
                case "GET" -> r.GET();
                case "DELETE" -> r.DELETE();
                default -> r.POST(HttpRequest.BodyPublishers.ofString(body));
            };
            HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            assertFalse(response.statusCode() == 405 || response.body().contains("urn:broker:error:not-found"),
                    route + " did not answer: " + response.statusCode() + " " + response.body());
        }
    }
}
