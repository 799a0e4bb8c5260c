/**
 * The WebSocket interface at {@code /ws}: Jetty's core WebSocket API on the shared Jetty server.
 * Found by {@link java.util.ServiceLoader} as the transport named {@code websocket}; removing this
 * module's jar removes {@code /ws} and nothing else.
 */
module dev.broker.transport.websocket {
    requires dev.broker.web;
    requires org.eclipse.jetty.websocket.core.server;
    requires org.slf4j;

    provides dev.broker.spi.TransportProvider with dev.broker.transport.websocket.internal.WebSocketTransportProvider;
}
