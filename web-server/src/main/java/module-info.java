/**
 * The one Jetty server behind the broker's port. Plugins that serve on that port (the HTTP API,
 * WebSocket, metrics) get it through {@link dev.broker.web.WebServer#of} and contribute a handler
 * under their own path, so none of them imports another. {@code dev.broker.web.json} is the JSON
 * wire format they share: messages, raw JSON values and problem details.
 */
module dev.broker.web {
    requires transitive dev.broker.spi;
    // Handler and Request appear in WebServer's API.
    requires transitive org.eclipse.jetty.server;
    // JsonGenerator and JsonParser appear in the wire format's API.
    requires transitive com.fasterxml.jackson.core;
    requires org.slf4j;

    exports dev.broker.web;
    exports dev.broker.web.json;
}
