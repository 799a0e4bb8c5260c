/**
 * The WebSocket interface at {@code /ws}: Jakarta WebSocket on Jetty's ee10 servlet layer, on the
 * shared Jetty server. Found by {@link java.util.ServiceLoader} as the transport named
 * {@code websocket}; removing this module's jar removes {@code /ws} and nothing else.
 */
module dev.broker.transport.websocket {
    requires dev.broker.web;
    requires jakarta.websocket;
    requires org.eclipse.jetty.ee10.servlet;
    requires org.eclipse.jetty.ee10.websocket.jakarta.server;
    requires org.slf4j;

    provides dev.broker.spi.TransportProvider with dev.broker.transport.websocket.internal.WebSocketTransportProvider;
}
