package dev.broker.loadtest.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Payload is the {@code data} of a load-test message,
 * {@code {"lt":"<run>","seq":<n>,"sent":<nanoTime>,"pad":"xx..."}} padded to the asked size, and
 * the reading of those fields back out of what the broker delivers. The broker keeps {@code data}
 * byte for byte as published, so the fields are found by their text instead of by parsing every
 * delivery (which would cost the tool more than the broker spends on it). Immutable.
 */
final class Payload {
    private static final Pattern RETRY_COUNT = Pattern.compile("\"retryCount\":(\\d+)");
    private static final Pattern RECEIPT = Pattern.compile("\"receipt\":\"([^\"\\\\]*)\"");
    private static final String OFFSET = "\"offset\":";

    private final String prefix;
    private final int size;
    private final String pad;
    private final Pattern mark;

    /** Delivery is one of this run's messages as received: which, when it was meant to be sent, and how to ack it. */
    record Delivery(long seq, long sentNanos, int retryCount, Optional<String> receipt) {
    }

    /** Scan is what one consume answer or frame held: this run's messages, and how many others. */
    record Scan(List<Delivery> deliveries, int others) {
    }

    Payload(String runId, int size) {
        this.prefix = "{\"lt\":\"" + runId + "\",\"seq\":";
        this.size = size;
        this.pad = "x".repeat(size);
        this.mark = Pattern.compile(Pattern.quote(prefix) + "(\\d{1,18}),\"sent\":(-?\\d{1,19}),");
    }

    /** append writes the data of message {@code seq}, meant to be sent at {@code sentNanos}, to {@code out}. */
    void append(StringBuilder out, long seq, long sentNanos) {
        int start = out.length();
        out.append(prefix).append(seq).append(",\"sent\":").append(sentNanos).append(",\"pad\":\"");
        int fill = size - (out.length() - start) - 2;
        if (fill > 0) {
            out.append(pad, 0, fill);
        }
        out.append("\"}");
    }

    /** data is the data of message {@code seq}, meant to be sent at {@code sentNanos}. */
    String data(long seq, long sentNanos) {
        StringBuilder out = new StringBuilder(size + 16);
        append(out, seq, sentNanos);
        return out.toString();
    }

    /**
     * scan finds this run's messages in a consume answer (a JSON array of messages) or a WebSocket
     * message frame. A message's {@code retryCount} and {@code receipt} follow its {@code data} in
     * the broker's output, so each is looked for between one message's data and the next's.
     */
    Scan scan(String json) {
        List<Delivery> found = new ArrayList<>();
        Matcher m = mark.matcher(json);
        int messages = count(json, OFFSET);
        if (!m.find()) {
            return new Scan(found, messages);
        }
        Matcher retry = RETRY_COUNT.matcher(json);
        Matcher receipt = RECEIPT.matcher(json);
        while (true) {
            long seq = Long.parseLong(m.group(1));
            long sent = Long.parseLong(m.group(2));
            int from = m.end();
            boolean more = m.find();
            int to = more ? m.start() : json.length();
            retry.region(from, to);
            receipt.region(from, to);
            int retries = retry.find() ? Integer.parseInt(retry.group(1)) : 0;
            Optional<String> r = receipt.find() ? Optional.of(receipt.group(1)) : Optional.empty();
            found.add(new Delivery(seq, sent, retries, r));
            if (!more) {
                break;
            }
        }
        return new Scan(found, Math.max(0, messages - found.size()));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
