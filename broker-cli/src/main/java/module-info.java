/**
 * The command line {@code bin/broker-cli}: {@code pub}, {@code sub}, {@code consume},
 * {@code topics}, {@code stats}, {@code dlq} and {@code delete} against a running broker, on the
 * Java client. It exports nothing; {@code dev.broker.cli.BrokerCli} is its main class.
 */
module dev.broker.cli {
    requires dev.broker.client;
    requires info.picocli;
    // Printing the broker's JSON answers indented, and messages as one line each.
    requires com.fasterxml.jackson.databind;

    // picocli fills the annotated command classes by reflection.
    opens dev.broker.cli.internal to info.picocli;
}
