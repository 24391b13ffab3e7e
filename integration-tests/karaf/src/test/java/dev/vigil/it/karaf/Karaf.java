package dev.vigil.it.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Apache Karaf instance, unpacked by the build and copied fresh for a test, driven as a
 * user drives it: {@code bin/start}, commands piped into {@code bin/client -b}, {@code bin/stop}
 * or SIGTERM to the Karaf process.
 *
 * <p>Implementation notes. Offline: pax-url resolves from Karaf's {@code system/} folder, the
 * build's Maven-layout folder of Vigil's artifacts ({@code vigil.it.karafRepo}) and the build's
 * local repository ({@code vigil.it.localRepository}, from {@code settings.localRepository}),
 * with no remote repository. The SSH and RMI ports are free ports picked at configuration (other
 * builds run Felix and Payara on this machine at the same time); the shutdown port is Karaf's
 * default, a random one. Karaf's output ({@code System.out/err} of its process) goes to
 * {@code karaf.out} in the instance folder ({@code KARAF_REDIRECT}). Every wait is bounded;
 * {@link #kill()} ends a process a test left running. Not thread-safe: one test drives it.
 */
final class Karaf {

    private static final double FACTOR = Double.parseDouble(System.getProperty("vigil.test.timeoutFactor", "1"));
    /** The bound of each wait for something that must happen (Karaf starts in 11–17 s here). */
    static final Duration BOUND = scaled(Duration.ofSeconds(120));

    final Path home;
    private final int sshPort;

    private Karaf(Path home, int sshPort) {
        this.home = home;
        this.sshPort = sshPort;
    }

    static Duration scaled(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * FACTOR));
    }

    /** A fresh copy of the unpacked Karaf, configured offline, with the karaf user and free ports. */
    static Karaf fresh(String name, Map<String, String> cfgFiles) throws IOException {
        Path dist = Path.of(System.getProperty("vigil.it.karafHome"));
        Path home = Path.of(System.getProperty("vigil.it.instancesDir"), name);
        deleteTree(home);
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = home.resolve(dist.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        try (Stream<Path> scripts = Files.list(home.resolve("bin"))) {
            scripts.filter(p -> !p.toString().endsWith(".bat")).forEach(p -> p.toFile().setExecutable(true));
        }
        Path etc = home.resolve("etc");
        Files.writeString(etc.resolve("org.ops4j.pax.url.mvn.cfg"), String.join("\n",
                "org.ops4j.pax.url.mvn.localRepository=" + System.getProperty("vigil.it.localRepository"),
                "org.ops4j.pax.url.mvn.defaultRepositories=${karaf.home.uri}system@id=system.repository@snapshots, "
                        + Path.of(System.getProperty("vigil.it.karafRepo")).toUri() + "@id=vigil.build@snapshots",
                "org.ops4j.pax.url.mvn.repositories=",
                "org.ops4j.pax.url.mvn.useFallbackRepositories=false", ""));
        Path users = etc.resolve("users.properties");
        Files.writeString(users, Files.readString(users)
                .replace("#karaf = karaf,_g_:admingroup", "karaf = karaf,_g_:admingroup")
                .replace("#_g_\\:admingroup", "_g_\\:admingroup"));
        int ssh = freePort();
        replaceLine(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort", "sshPort = " + ssh);
        replaceLine(etc.resolve("org.apache.karaf.management.cfg"), "rmiRegistryPort", "rmiRegistryPort = " + freePort());
        replaceLine(etc.resolve("org.apache.karaf.management.cfg"), "rmiServerPort", "rmiServerPort = " + freePort());
        for (Map.Entry<String, String> cfg : cfgFiles.entrySet()) {
            Files.writeString(etc.resolve(cfg.getKey()), cfg.getValue());
        }
        return new Karaf(home, ssh);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void replaceLine(Path file, String key, String line) throws IOException {
        List<String> lines = Files.readAllLines(file);
        lines.replaceAll(l -> l.trim().startsWith(key) ? line : l);
        Files.write(file, lines);
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    /** {@code bin/start}, then waits (bounded) until the shell answers. */
    void start() throws Exception {
        run(List.of("bin/start"), "", Map.of("KARAF_REDIRECT", home.resolve("karaf.out").toString()));
        client("bundle:list -t 0 | grep -i 'Apache Karaf :: Shell :: Core'");
    }

    /**
     * Runs the commands in Karaf's shell through {@code bin/client -b} (retrying the connection
     * while Karaf starts) and returns what they printed.
     *
     * @throws AssertionError if the client fails or does not end within the bound
     */
    String client(String... commands) throws Exception {
        return run(List.of("bin/client", "-a", String.valueOf(sshPort), "-u", "karaf", "-p", "karaf",
                "-r", String.valueOf(BOUND.toSeconds() / 2), "-d", "2", "-b"),
                String.join("\n", commands) + "\n", Map.of());
    }

    /** {@code bin/stop}: asks Karaf to stop through its shutdown port; returns once the request is sent. */
    void stop() throws Exception {
        run(List.of("bin/stop"), "", Map.of());
    }

    /** SIGTERM to the Karaf process. */
    void sigterm() {
        process().orElseThrow(() -> new AssertionError("Karaf is not running")).destroy();
    }

    /** The Karaf JVM, while it runs. */
    Optional<ProcessHandle> process() {
        Path pidFile = home.resolve("karaf.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isRunning() {
        return process().isPresent();
    }

    /** Waits (bounded) for the Karaf process to end; returns when it did (nanoTime). */
    long awaitExit(ProcessHandle karaf) throws Exception {
        karaf.onExit().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        return System.nanoTime();
    }

    /** What Karaf's process printed ({@code System.out/err}), e.g. Vigil's notices without a Log Service. */
    String output() throws IOException {
        Path out = home.resolve("karaf.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    /** Karaf's log file: what {@code log:display} shows. */
    String log() throws IOException {
        Path log = home.resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Writes a configuration file into {@code etc/}, as an operator edits one. */
    void writeCfg(String name, String content) throws IOException {
        Path tmp = home.resolve("etc").resolve(name + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, home.resolve("etc").resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Ends a Karaf a test left running (SIGKILL), bounded. */
    void kill() throws Exception {
        Optional<ProcessHandle> p = process();
        if (p.isPresent()) {
            p.get().destroyForcibly();
            p.get().onExit().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private String run(List<String> command, String input, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_MAX_MEM", "512M");
        pb.environment().putAll(env);
        Path output = Files.createTempFile(home, "cmd", ".out");
        pb.redirectOutput(output.toFile());
        Process p = pb.start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within " + BOUND + ": " + Files.readString(output));
        }
        String out = Files.readString(output);
        Files.delete(output);
        if (p.exitValue() != 0) {
            throw new AssertionError(command + " " + input.strip() + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }
}
