package dev.broker.transport.websocket.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.spi.TransportProvider;

/** WebSocketTransportProvider offers the transport named {@code websocket}: {@code /ws}. Stateless. */
public final class WebSocketTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public Transport create(BrokerContext context) {
        return new WebSocketTransport(context);
    }
}
