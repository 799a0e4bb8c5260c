package dev.broker.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SharedObjects holds the objects plugins share through
 * {@link dev.broker.spi.BrokerContext#shared}, and closes them in reverse order of making.
 * Thread-safe: all access is under the instance's monitor.
 */
final class SharedObjects implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedObjects.class);

    private final Map<Class<?>, AutoCloseable> objects = new LinkedHashMap<>();

    synchronized <T extends AutoCloseable> T get(Class<T> type, Supplier<? extends T> factory) {
        AutoCloseable existing = objects.get(type);
        if (existing != null) {
            return type.cast(existing);
        }
        T made = factory.get();
        objects.put(type, made);
        return made;
    }

    @Override
    public synchronized void close() {
        List<AutoCloseable> reversed = new ArrayList<>(objects.values());
        java.util.Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getName(), e.toString());
            }
        }
        objects.clear();
    }
}
