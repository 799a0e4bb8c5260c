package dev.broker.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ConsumeBytesTest: a consume batch carries at most MAX_REQUEST_SIZE bytes of data (but always
 * one message), the rest stays for the next poll, and nothing is lost or handed out twice.
 */
class ConsumeBytesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern N = Pattern.compile("\"n\":(\\d+)");

    private static HttpResponse<String> send(ApiBroker b, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(b.base.resolve(path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Integer> numbers(String body) {
        List<Integer> out = new ArrayList<>();
        Matcher m = N.matcher(body);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    @Test
    void aBatchOfLargeMessagesIsCutAtTheByteBound() throws Exception {
        try (ApiBroker b = ApiBroker.start("MAX_MESSAGE_SIZE", "100000", "MAX_REQUEST_SIZE", "250000")) {
            String pad = "x".repeat(90_000);
            for (int i = 0; i < 10; i++) {
                assertEquals(201, send(b, "POST", "publish/big", "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}").statusCode());
            }
            List<Integer> seen = new ArrayList<>();
            for (int poll = 0; poll < 10 && seen.size() < 10; poll++) {
                HttpResponse<String> r = send(b, "GET", "consume/big/batch?group=g&limit=10&ack=manual", null);
                assertEquals(200, r.statusCode(), r.body().length() > 300 ? r.body().substring(0, 300) : r.body());
                List<Integer> got = numbers(r.body());
                assertTrue(got.size() == 2, "two 90 KB messages fit in 250,000 bytes, three do not: got " + got);
                assertTrue(r.body().length() < 250_000 + 4_000, "answer of " + r.body().length() + " bytes");
                seen.addAll(got);
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seen, "in order, each once");
            // A single message larger than the rest of the bound still comes alone.
            try (ApiBroker small = ApiBroker.start("MAX_MESSAGE_SIZE", "100000", "MAX_REQUEST_SIZE", "100000")) {
                assertEquals(201, send(small, "POST", "publish/one", "{\"n\":7,\"pad\":\"" + "y".repeat(99_980) + "\"}").statusCode());
                assertEquals(201, send(small, "POST", "publish/one", "{\"n\":8}").statusCode());
                assertEquals(List.of(7), numbers(send(small, "GET", "consume/one/batch?group=g&limit=5", null).body()));
                assertEquals(List.of(8), numbers(send(small, "GET", "consume/one/batch?group=g&limit=5", null).body()));
            }
        }
    }
}
