import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * BuildImage makes the broker's runtime image: a jlinked JDK holding only the JDK modules the
 * broker's jars resolve to, the jars themselves in modules/ (many libraries are automatic modules,
 * which jlink cannot link), an empty plugins/ folder and the launchers. It then boots the image once
 * and checks that it answers /health. Run by the build as a single-file program:
 *
 *   java BuildImage.java JARS_DIR TEMPLATE_DIR IMAGE_DIR
 */
public class BuildImage {
    /** JDK modules the broker uses at run time without any jar requiring them. */
    private static final Set<String> ALWAYS = Set.of(
            "jdk.unsupported",   // sun.misc.Unsafe: Guava and Guice use it where it is there
            "jdk.crypto.ec",     // elliptic-curve TLS, for a later TLS transport (and SecureRandom providers)
            "jdk.jcmd",          // jcmd, jstack: an operator's first tools on a stuck broker
            "jdk.jfr",           // Flight Recorder: -XX:StartFlightRecording or jcmd JFR.start on a live broker
            "jdk.management");   // OS and GC beans behind JVM metrics

    public static void main(String[] args) throws Exception {
        Path jars = Path.of(args[0]);
        Path template = Path.of(args[1]);
        Path image = Path.of(args[2]);

        Set<String> jdkModules = jdkModules(jars);
        System.out.println("[image] JDK modules: " + String.join(",", jdkModules));
        deleteTree(image);
        jlink(jdkModules, image);

        Path modules = Files.createDirectories(image.resolve("modules"));
        try (Stream<Path> s = Files.list(jars)) {
            for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                Files.copy(jar, modules.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        copyTemplate(template, image);
        trainClassDataArchive(image);
        System.out.println("[image] " + image + ": " + size(image) / (1024 * 1024) + " MB");
        bootCheck(image);
    }

    /** Resolves the jars with the JDK's own modules and keeps the JDK modules in the graph. */
    static Set<String> jdkModules(Path jars) {
        ModuleFinder system = ModuleFinder.ofSystem();
        ModuleFinder app = ModuleFinder.of(jars);
        Set<String> roots = app.findAll().stream().map(r -> r.descriptor().name()).collect(Collectors.toSet());
        // Automatic modules read every module but make none resolve, so resolve with java.se's
        // building blocks that a jar names explicitly, plus ALWAYS.
        Set<String> wanted = new TreeSet<>(roots);
        wanted.addAll(ALWAYS);
        Configuration cf = Configuration.empty().resolve(ModuleFinder.compose(system, app), ModuleFinder.of(), wanted);
        Set<String> systemNames = system.findAll().stream().map(ModuleReference::descriptor)
                .map(d -> d.name()).collect(Collectors.toSet());
        return cf.modules().stream().map(ResolvedModule::name).filter(systemNames::contains)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static void jlink(Set<String> modules, Path output) throws IOException {
        ToolProvider jlink = ToolProvider.findFirst("jlink")
                .orElseThrow(() -> new IllegalStateException("this JDK has no jlink; build with a full JDK 17 or newer"));
        List<String> args = new ArrayList<>(List.of(
                "--add-modules", String.join(",", modules),
                "--output", output.toString(),
                "--strip-debug", "--no-header-files", "--no-man-pages",
                // The JDK's own class-data archive: a faster JVM start, and the base the broker's archive needs.
                "--generate-cds-archive"));
        // The compression flag changed spelling in JDK 21.
        args.add(Runtime.version().feature() >= 21 ? "--compress=zip-6" : "--compress=2");
        int status = jlink.run(System.out, System.err, args.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("jlink failed with status " + status);
        }
        // The archive for heaps over 32 GB (no compressed oops) is dead weight for a broker.
        Files.deleteIfExists(output.resolve("lib/server/classes_nocoops.jsa"));
    }

    static void copyTemplate(Path template, Path image) throws IOException {
        try (Stream<Path> s = Files.walk(template)) {
            for (Path from : s.toList()) {
                Path to = image.resolve(template.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                    if (template.relativize(from).startsWith("bin")) {
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
            }
        }
        Files.createDirectories(image.resolve("plugins"));
    }

    /**
     * Runs the broker once through a publish and a consume with -XX:ArchiveClassesAtExit, so that
     * bin/broker starts from an archive of the classes it loads (AppCDS). The archive is only
     * valid where it was made: a copied image falls back to loading classes as usual.
     */
    static void trainClassDataArchive(Path image) throws Exception {
        Path archive = image.resolve("lib/broker.jsa");
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(image.resolve("bin/broker").toString(), "--port", String.valueOf(port))
                .redirectErrorStream(true);
        pb.environment().put("PERSISTENCE_ENABLED", "false");
        pb.environment().put("BROKER_JAVA_OPTS", "-XX:ArchiveClassesAtExit=" + archive);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try {
            if (request(port, "GET", "/health", null, 60_000) == 200) {
                request(port, "POST", "/publish/cds.training", "{\"warm\":true}", 5_000);
                request(port, "POST", "/publish/batch/cds.training", "[1,2]", 5_000);
                request(port, "GET", "/consume/cds.training", null, 5_000);
                request(port, "GET", "/consume/cds.training/batch?limit=5", null, 5_000);
                request(port, "GET", "/topics", null, 5_000);
                request(port, "GET", "/no/such/path", null, 5_000);
            }
        } finally {
            p.destroy();
            p.waitFor();
        }
        System.out.println(Files.exists(archive)
                ? "[image] class-data archive: " + Files.size(archive) / 1024 + " KB"
                : "[image] no class-data archive was made; the image starts without one");
    }

    /** request sends one HTTP request, retrying until the server answers or the time is up. */
    static int request(int port, String method, String path, String body, long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
                c.setConnectTimeout(200);
                c.setRequestMethod(method);
                if (body != null) {
                    c.setDoOutput(true);
                    c.setRequestProperty("Content-Type", "application/json");
                    c.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                int status = c.getResponseCode();
                c.disconnect();
                return status;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    return -1;
                }
                Thread.sleep(5);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the image on a free port and waits for /health, so a broken image fails the build. */
    static void bootCheck(Path image) throws Exception {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(image.resolve("bin/broker").toString(), "--port", String.valueOf(port))
                .redirectErrorStream(true);
        pb.environment().put("PERSISTENCE_ENABLED", "false");
        long began = System.nanoTime();
        Process p = pb.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended; what it printed so far is kept
            }
        });
        reader.start();
        int status = request(port, "GET", "/health", null, 60_000);
        long millis = (System.nanoTime() - began) / 1_000_000;
        p.destroy();
        p.waitFor();
        reader.join();
        if (status != 200) {
            throw new IllegalStateException("the image did not answer /health (status " + status + "); its output:\n" + output);
        }
        System.out.println("[image] boot check: launch to first answered request " + millis + " ms");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
