package dev.broker.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * TrivialPostServer is the ceiling for SPEC section 11's HTTP publish target: the same Jetty, set
 * up as the broker's web server (thread pool, connector), answering every POST with 201 and a small
 * JSON body after reading the request body. Run it, and load it as you load {@code /publish}.
 *
 * <p>Argument: the port (default 8099).
 */
public final class TrivialPostServer {
    private TrivialPostServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8099;
        QueuedThreadPool threads = new QueuedThreadPool(200, 8, 60_000);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        server.addConnector(connector);
        byte[] body = "{\"id\":\"01a21fb1-b553-76ac-b25b-ac2106719b64\",\"topic\":\"t\",\"offset\":0,\"timestamp\":\"2026-01-01T00:00:00.000Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                org.eclipse.jetty.io.Content.Source.asByteBuffer(request); // read the body, as a publish must
                response.setStatus(201);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        System.out.println("trivial POST server on port " + connector.getLocalPort());
        server.join();
    }
}
