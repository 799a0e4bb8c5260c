package dev.broker.core;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.lang.LayerInstantiationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Main starts the broker from the command line: {@code broker [--port 9090] ...}, or {@code --help}.
 * Plugins are found on the module path and in the folder named by the system property
 * {@code broker.plugins} (the image's {@code plugins/}). A bad setting or a start-up failure prints
 * one line to standard error and exits with status 2 or 1.
 */
public final class Main {
    /** PLUGINS_PROPERTY names the folder of extra plugin jars. */
    public static final String PLUGINS_PROPERTY = "broker.plugins";

    private Main() {
    }

    /** main runs the broker until the process is stopped. */
    public static void main(String[] args) {
        int status = run(args, System.getenv(), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        long began = System.nanoTime();
        Settings.Parsed parsed;
        try {
            parsed = Settings.parse(args, environment);
        } catch (ConfigException e) {
            err.println("broker: " + e.getMessage());
            return 2;
        }
        if (parsed instanceof Settings.Parsed.Help help) {
            out.print(help.text());
            return 0;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        Broker broker;
        try {
            ModuleLayer layer = pluginLayer();
            broker = Broker.start(((Settings.Parsed.Run) parsed).config(), layer);
        } catch (StartupException e) {
            log.debug("start-up failed", e);
            err.println("broker: " + e.getMessage());
            // A store plugin's own bad setting is a bad setting like any other.
            return e.getCause() instanceof dev.broker.spi.StoreSettingException ? 2 : 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        log.info("broker {} started in {} ms on the '{}' store, serving {}", broker.health().version(),
                (System.nanoTime() - began) / 1_000_000, broker.health().store(),
                broker.endpoints().stream().map(Object::toString).collect(Collectors.joining(" ")));
        return 0;
    }

    private static ModuleLayer pluginLayer() {
        String dir = System.getProperty(PLUGINS_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return ModuleLayer.boot();
        }
        Path folder = Path.of(dir);
        if (!Files.isDirectory(folder)) {
            return ModuleLayer.boot();
        }
        try (var entries = Files.list(folder)) {
            if (entries.noneMatch(p -> p.toString().endsWith(".jar"))) {
                return ModuleLayer.boot();
            }
        } catch (IOException e) {
            throw new StartupException("cannot read the plugins folder " + folder + ": " + e.getMessage(), e);
        }
        try {
            ModuleFinder finder = ModuleFinder.of(folder);
            Set<String> roots = finder.findAll().stream().map(ModuleReference::descriptor)
                    .map(d -> d.name()).collect(Collectors.toSet());
            ModuleLayer boot = ModuleLayer.boot();
            Configuration cf = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            return boot.defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            throw new StartupException("cannot load the plugins in " + folder + ": " + e.getMessage(), e);
        }
    }
}
