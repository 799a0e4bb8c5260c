/**
 * The load-test tool, {@code bin/broker-load-test}: publishers and consumers that talk to a running
 * broker over HTTP and WebSocket exactly as any client does, and report messages per second,
 * latency percentiles, errors, and lost or duplicated messages. It requires no broker module: it
 * knows the broker only by its wire protocol, so it measures what a user would see. It exports
 * nothing; {@code dev.broker.loadtest.LoadTest} is its main class.
 */
module dev.broker.loadtest {
    // Jetty's asynchronous HTTP and WebSocket clients (docs/load-test.md says why these).
    requires org.eclipse.jetty.client;
    requires org.eclipse.jetty.websocket.core.client;
    // ProcessHandle and ThreadMXBean for the tool's own CPU time in the report.
    requires java.management;
    requires info.picocli;
    // HdrHistogram 2.2.2 ships no descriptor and no Automatic-Module-Name: this is the name its
    // jar's file name gives it.
    requires HdrHistogram;

    // picocli fills the annotated option fields of Options, and makes its converters, by reflection.
    opens dev.broker.loadtest.internal to info.picocli;
}
