package dev.broker.loadtest.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * WsConsumer receives over one WebSocket connection, either as a member of the consumer group
 * (acking each message's receipt with {@code --ack manual}) or as a broadcast subscriber that must
 * see every message. Frames arrive on the client's threads, one at a time.
 */
final class WsConsumer implements Receiver {
    /** MAX_IN_FLIGHT is how many unacked messages a group member may hold. */
    static final int MAX_IN_FLIGHT = 1000;
    private static final long SUBSCRIBE_SECONDS = 20;

    private final Arguments arguments;
    private final Accounting accounting;
    private final Payload payload;
    private final Clients clients;
    /** The subscriber's index, or -1 for a group member. */
    private final int subscriber;
    private final CompletableFuture<String> subscribed = new CompletableFuture<>();
    private volatile WsConnection connection;
    private volatile boolean stopped;

    private WsConsumer(Arguments arguments, Accounting accounting, Payload payload, Clients clients, int subscriber) {
        this.arguments = arguments;
        this.accounting = accounting;
        this.payload = payload;
        this.clients = clients;
        this.subscriber = subscriber;
    }

    /** member is a member of the run's consumer group. */
    static WsConsumer member(Arguments arguments, Accounting accounting, Payload payload, Clients clients) {
        return new WsConsumer(arguments, accounting, payload, clients, -1);
    }

    /** subscriber is broadcast subscriber number {@code index}. */
    static WsConsumer subscriber(Arguments arguments, Accounting accounting, Payload payload, Clients clients, int index) {
        return new WsConsumer(arguments, accounting, payload, clients, index);
    }

    @Override
    public void start() throws SetupException {
        String frame = "{\"type\":\"subscribe\",\"topic\":" + Wire.quote(arguments.topic())
                + (subscriber < 0 ? ",\"group\":" + Wire.quote(arguments.group()) + ",\"ack\":\"" + arguments.ack().wire()
                + "\",\"maxInFlight\":" + MAX_IN_FLIGHT : "") + "}";
        try {
            connection = WsConnection.open(clients, arguments.webSocket(), this::onFrame, this::onClosed)
                    .get(SUBSCRIBE_SECONDS, TimeUnit.SECONDS);
            connection.send(frame);
            subscribed.get(SUBSCRIBE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new SetupException("cannot subscribe over " + arguments.webSocket() + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new SetupException("no answer to a WebSocket subscribe at " + arguments.webSocket() + " within "
                    + SUBSCRIBE_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupException("interrupted while subscribing");
        }
    }

    private void onFrame(String frame) {
        if (stopped) {
            return;
        }
        switch (Wire.type(frame)) {
            case "message" -> {
                long now = System.nanoTime();
                Payload.Scan scan = payload.scan(frame);
                for (Payload.Delivery d : scan.deliveries()) {
                    if (subscriber < 0) {
                        accounting.delivered(d.seq(), d.sentNanos(), now, d.retryCount());
                        d.receipt().ifPresent(this::ack);
                    } else {
                        accounting.received(subscriber, d.seq(), d.sentNanos(), now);
                    }
                }
                accounting.others(scan.others());
            }
            case "subscribed" -> subscribed.complete(frame);
            case "error" -> {
                String code = Wire.string(frame, "code").orElse("?");
                if (!subscribed.isDone()) {
                    subscribed.completeExceptionally(new IllegalStateException(code + ": "
                            + Wire.string(frame, "message").orElse("")));
                }
                accounting.error("WebSocket error " + code);
            }
            default -> {
                // acked, topic-deleted and the like need nothing
            }
        }
    }

    private void ack(String receipt) {
        connection.send("{\"type\":\"ack\",\"topic\":" + Wire.quote(arguments.topic()) + ",\"group\":"
                + Wire.quote(arguments.group()) + ",\"receipt\":" + Wire.quote(receipt) + "}");
    }

    private void onClosed(int code, String reason) {
        subscribed.completeExceptionally(new IllegalStateException("the connection closed (" + code + " " + reason + ")"));
        if (!stopped) {
            accounting.error((subscriber < 0 ? "consumer" : "subscriber") + " WebSocket closed " + code
                    + (reason == null || reason.isEmpty() ? "" : " " + reason));
        }
    }

    @Override
    public void stop() {
        stopped = true;
        WsConnection c = connection;
        if (c != null) {
            c.close();
        }
    }
}
