package dev.broker.ui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ConsoleHandlerTest serves the console's files as the web server routes them: under {@code /ui/*}. */
class ConsoleHandlerTest {
    private static Server server;
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(PathSpec.from(Console.PATH + "/*"), new ConsoleHandler());
        server.setHandler(routes);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageAndItsModulesAreServedUnderThePolicy() throws Exception {
        HttpResponse<String> page = send("GET", "ui/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("js/main.js"), page.body());
        assertEquals(ConsoleHandler.POLICY, page.headers().firstValue("Content-Security-Policy").orElse(""));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));

        HttpResponse<String> module = send("GET", "ui/js/main.js");
        assertEquals(200, module.statusCode());
        // Browsers run a module script only with a JavaScript content type.
        assertTrue(module.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"), module.headers().toString());
        assertEquals(200, send("GET", "ui/vendor/uplot/uPlot.esm.js").statusCode());
        assertEquals(200, send("GET", "ui/vendor/uplot/LICENSE").statusCode());
    }

    @Test
    void theAddressWithoutItsSlashIsRedirectedAndOthersAreRefused() throws Exception {
        HttpResponse<String> bare = send("GET", "ui");
        assertEquals(301, bare.statusCode());
        assertTrue(bare.headers().firstValue("Location").orElse("").endsWith("/ui/"), bare.headers().toString());
        assertEquals(404, send("GET", "ui/no-such-file.js").statusCode());
        assertEquals(405, send("POST", "ui/").statusCode());
        assertTrue(send("GET", "ui/js/").statusCode() >= 400, "no directory listing");
    }
}
