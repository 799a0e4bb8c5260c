package dev.broker.core.internal;

import com.google.inject.name.Named;
import dev.broker.spi.MessageStore;
import dev.broker.spi.Transport;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runtime owns the life of one broker's parts: it starts the transports and the retention sweep,
 * and stops everything in reverse order. Its methods are called from one thread (start-up, then
 * shut-down).
 */
@Singleton
public final class Runtime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Runtime.class);
    private static final long SWEEP_SECONDS = 30;

    private final Router router;
    private final MessageStore store;
    private final SharedObjects shared;
    private final List<AutoCloseable> metrics;
    private final List<Transport> transports;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "broker-retention");
        t.setDaemon(true);
        return t;
    });
    private boolean closed;

    // Parameters are resolved in this order: metrics plugins are made before the transports.
    @Inject
    Runtime(Router router, MessageStore store, SharedObjects shared, @Named("metrics") List<AutoCloseable> metrics,
            List<Transport> transports) {
        this.router = router;
        this.store = store;
        this.shared = shared;
        this.metrics = metrics;
        this.transports = transports;
    }

    /** start starts every transport; a failure stops what had started and is thrown. */
    public void start() throws Exception {
        try {
            for (Transport t : transports) {
                t.start();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** router is the broker facade. */
    public Router router() {
        return router;
    }

    /** endpoints lists every transport's addresses. */
    public List<URI> endpoints() {
        List<URI> all = new ArrayList<>();
        for (Transport t : transports) {
            all.addAll(t.endpoints());
        }
        return all;
    }

    private void sweep() {
        try {
            router.expireAll();
        } catch (RuntimeException e) {
            LOG.warn("retention sweep failed: {}", e.toString(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        router.close();
        sweeper.shutdownNow();
        for (int i = transports.size() - 1; i >= 0; i--) {
            closeQuietly(transports.get(i));
        }
        for (int i = metrics.size() - 1; i >= 0; i--) {
            closeQuietly(metrics.get(i));
        }
        shared.close();
        closeQuietly(store);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", c.getClass().getName(), e.toString());
        }
    }
}
