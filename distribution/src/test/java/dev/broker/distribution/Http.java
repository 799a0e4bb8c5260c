package dev.broker.distribution;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Http is the JDK's HTTP client with the few calls the black-box tests make. */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern OFFSET = Pattern.compile("\"offset\":(\\d+)");
    private static final Pattern RECEIPT = Pattern.compile("\"receipt\":\"([^\"]+)\"");

    private Http() {
    }

    static HttpResponse<String> post(URI base, String path, String json) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(URI base, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(40)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<Long> offsets(String body) {
        List<Long> out = new ArrayList<>();
        Matcher m = OFFSET.matcher(body);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    static List<String> receipts(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = RECEIPT.matcher(body);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
