package dev.broker.distribution;

import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Frames queues the text frames a JDK WebSocket client receives, for the tests of the image. */
final class Frames implements WebSocket.Listener {
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            queue.add(partial.toString());
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    /** next is the next frame, waiting up to 15 s for it. */
    String next() throws InterruptedException {
        String f = queue.poll(15, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame arrived within 15 s");
        }
        return f;
    }

    /** poll is the next frame within {@code millis}, or null. */
    String poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }
}
