package dev.vigil.it.payara;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.it.payara.app.AttachedWork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One policy's deployment in a real Payara Micro process, driven from the test JVM.
 *
 * <p>Implementation notes. Payara Micro deploys at start, so the Arquillian adapter starts a
 * server per deployment and "undeploys" by {@code Process.destroy()} (SIGTERM) without waiting
 * for the process: the deployment is unmanaged, deployed before each test, and the test
 * watches the server's shutdown through the {@link dev.vigil.it.payara.app.EventLog} file the
 * application writes (the HTTP listener is gone by then) and through the server's
 * {@link ProcessHandle}, whose pid the application records. Every wait is bounded by
 * {@link #BOUND} (scaled by {@code vigil.test.timeoutFactor}); a server still alive after its
 * test is killed.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class PayaraDeployment {

    static final String APP = "vigil-app";
    private static final double FACTOR = Double.parseDouble(System.getProperty("vigil.test.timeoutFactor", "1"));
    /** The bound of every wait for something that must happen. */
    static final Duration BOUND = scaled(Duration.ofSeconds(60));

    @ArquillianResource
    Deployer deployer;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(BOUND).build();
    private boolean deployed;
    private long undeployedAt;

    static Duration scaled(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * FACTOR));
    }

    /**
     * The WAR a user would build: the application's classes, Vigil's jars in
     * {@code WEB-INF/lib}, and the settings naming the policy, its options and the events file.
     */
    static WebArchive war(Class<?> test, String policy, Map<String, String> options) {
        StringBuilder settings = new StringBuilder()
                .append("events=").append(eventsFile(test).toString().replace("\\", "\\\\")).append('\n')
                .append("policy=").append(policy).append('\n');
        options.forEach((k, v) -> settings.append("option.").append(k).append('=').append(v).append('\n'));
        WebArchive war = ShrinkWrap.create(WebArchive.class, APP + ".war")
                .addPackage(AttachedWork.class.getPackage())
                .addAsResource(new StringAsset(settings.toString()), "vigil-it.properties");
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("vigil.it.warLib")))) {
            jars.filter(p -> p.toString().endsWith(".jar")).forEach(jar -> war.addAsLibrary(jar.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return war;
    }

    static Path eventsFile(Class<?> test) {
        return Path.of(System.getProperty("vigil.it.eventsDir"), test.getSimpleName() + ".log");
    }

    @BeforeEach
    void deploy() throws IOException {
        Files.createDirectories(eventsFile(getClass()).getParent());
        Files.deleteIfExists(eventsFile(getClass()));
        deployer.deploy(APP);
        deployed = true;
    }

    @AfterEach
    void stopServer() throws Exception {
        if (deployed) {
            undeploy();
        }
        Optional<ProcessHandle> server = server();
        if (server.isPresent() && server.get().isAlive()) {
            server.get().destroyForcibly();
            server.get().onExit().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the server as the adapter does (SIGTERM), which undeploys the application. */
    void undeploy() {
        deployed = false;
        undeployedAt = System.currentTimeMillis();
        deployer.undeploy(APP);
    }

    /** When {@link #undeploy()} sent the signal (epoch millis). */
    long undeployedAt() {
        return undeployedAt;
    }

    String get(URL base, String path) throws Exception {
        HttpResponse<String> response = http.send(request(base, path), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    /** A request left running; its answer may never come if the server stops meanwhile. */
    CompletableFuture<HttpResponse<String>> getAsync(URL base, String path) {
        return http.sendAsync(request(base, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(URL base, String path) {
        return HttpRequest.newBuilder(URI.create(base.toString()).resolve(path)).timeout(BOUND).GET().build();
    }

    /** The events the application recorded so far: lines {@code <epoch millis> <event>}. */
    List<String> events() {
        Path file = eventsFile(getClass());
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<Event> event(String prefix) {
        return events().stream().map(Event::parse).filter(e -> e.text().startsWith(prefix)).findFirst();
    }

    /** Waits (bounded) for the first event starting with {@code prefix}. */
    Event awaitEvent(String prefix) {
        return await("event \"" + prefix + "\" in " + events().stream().collect(Collectors.joining("\n", "\n", "")))
                .atMost(BOUND).pollInterval(Duration.ofMillis(50))
                .until(() -> event(prefix), Optional::isPresent).orElseThrow();
    }

    /** The server process, known once the application recorded its pid. */
    Optional<ProcessHandle> server() {
        return event("configured pid=")
                .map(e -> Long.parseLong(e.text().substring("configured pid=".length()).split(" ")[0]))
                .flatMap(ProcessHandle::of);
    }

    /** Waits (bounded) for the server process to exit; returns when it did (epoch millis). */
    long awaitServerExit() throws Exception {
        ProcessHandle server = server().orElseThrow(() -> new AssertionError("no server pid in " + events()));
        server.onExit().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        return System.currentTimeMillis();
    }

    /** One recorded event. */
    record Event(long at, String text) {
        static Event parse(String line) {
            int space = line.indexOf(' ');
            return new Event(Long.parseLong(line.substring(0, space)), line.substring(space + 1));
        }
    }

    /**
     * What every policy's test does first: {@code @Attached} calls work, then a request holds a
     * guard (at most {@code seconds}) and the server is stopped; returns the "held" event once
     * the shutdown was requested.
     */
    Event holdAndStopServer(URL base, long seconds) throws Exception {
        assertAttachedCallsWork(base);
        getAsync(base, "api/work/hold?seconds=" + seconds);
        Event held = awaitEvent("held on");
        undeploy();
        awaitEvent("requested main");
        return held;
    }

    /** The checks every policy shares: {@code @Attached} runs attached, on a request thread and on the managed executor. */
    private void assertAttachedCallsWork(URL base) throws Exception {
        String fromRequest = get(base, "api/work/here");
        String fromExecutor = get(base, "api/work/executor");
        assertThat(fromRequest).as("@Attached from a JAX-RS request thread").startsWith("main#");
        assertThat(fromExecutor).as("@Attached from the managed executor").startsWith("main#")
                .isNotEqualTo(fromRequest);
    }
}
