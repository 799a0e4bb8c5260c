/**
 * The broker's contracts. {@code dev.broker.api} holds the values of the model (topics, groups,
 * messages) and {@link dev.broker.api.MessageBroker}, the facade a transport calls;
 * {@code dev.broker.spi} holds the plugin contracts (transports, message stores, metrics) and the
 * narrow {@link dev.broker.spi.BrokerContext} a plugin gets. No library is required: plugins and the
 * core depend on this module, never on each other.
 */
module dev.broker.spi {
    exports dev.broker.api;
    exports dev.broker.spi;
}
