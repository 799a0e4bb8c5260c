/**
 * The broker's Java client: publish, group consumption over HTTP (long polls, acks, a consumer
 * loop), WebSocket subscriptions that reconnect and resume, and the admin calls. It knows the
 * broker only by its wire protocol (the HTTP API and the {@code /ws} frames) and requires no broker
 * module, so it can be added to any application as a plain jar. docs/client.md describes its
 * reconnect behaviour and delivery guarantees.
 */
module dev.broker.client {
    // The JDK's HTTP client and its WebSocket: no HTTP library to bring along.
    requires java.net.http;
    // JSON on the wire. Not transitive: no Jackson type appears in the client's API.
    requires com.fasterxml.jackson.databind;

    exports dev.broker.client;
}
