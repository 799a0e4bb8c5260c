package dev.broker.ui.internal;

import dev.broker.spi.BrokerContext;
import dev.broker.spi.Transport;
import dev.broker.spi.TransportProvider;

/**
 * ConsoleProvider offers the admin console as the transport named {@code ui}: {@code /ui/} on the
 * shared web server. {@code TRANSPORTS} without {@code ui} leaves the console out. Stateless.
 */
public final class ConsoleProvider implements TransportProvider {
    @Override
    public String name() {
        return "ui";
    }

    @Override
    public Transport create(BrokerContext context) {
        return new Console(context);
    }
}
