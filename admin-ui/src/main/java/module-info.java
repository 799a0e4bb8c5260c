/**
 * The admin web console at {@code /ui/}: static ES modules and CSS served from this jar on the
 * shared web server. The page is a client of the HTTP API and {@code /ws} like any other, so it can
 * do nothing a token could not do with curl (docs/console.md). Found by
 * {@link java.util.ServiceLoader} as the transport named {@code ui}; it exports nothing, and
 * removing its jar removes {@code /ui/} and nothing else.
 */
module dev.broker.ui {
    requires dev.broker.web;
    requires org.slf4j;
    // Jetty's ResourceHandler reads the console's files out of this jar through the zip file system.
    requires jdk.zipfs;

    provides dev.broker.spi.TransportProvider with dev.broker.ui.internal.ConsoleProvider;
}
