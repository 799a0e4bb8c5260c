package dev.broker.transport.http.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.spi.TransportProvider;

/** HttpTransportProvider offers the transport named {@code http}: the HTTP API. Stateless. */
public final class HttpTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "http";
    }

    @Override
    public Transport create(BrokerContext context) {
        return new HttpTransport(context);
    }
}
