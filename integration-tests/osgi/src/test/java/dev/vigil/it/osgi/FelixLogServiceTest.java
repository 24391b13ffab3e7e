package dev.vigil.it.osgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * DESIGN.md §7 inside a real Felix with the Felix Log Service: the runtime's notices and
 * reports reach an OSGi {@code LogListener}, under loggers named by area, on behalf of the
 * registry bundle, and nothing of it goes to {@code System.err}; the finalization is a JFR
 * event there too. The Log Service API is the Felix Log bundle's, so the listener is a
 * {@link Proxy} made in its class loader and the entries are read by reflection.
 */
class FelixLogServiceTest {

    /** One entry as a listener saw it. */
    private record Entry(String logger, String level, String message, String bundle) {
    }

    private OsgiContainer osgi;
    private ErrCapture err;

    @AfterEach
    void stop() {
        try {
            if (osgi != null) {
                osgi.close();
            }
        } finally {
            if (err != null) {
                err.close();
            }
        }
    }

    @Test
    void ops7_reportOfAShutdown_reachesALogListener_underDevVigilFinalization_andAJfrRecording(TestInfo test,
            @TempDir Path dir) throws Exception {
        err = ErrCapture.install();
        List<String> bundles = new ArrayList<>(List.of("org.apache.felix.log"));
        bundles.add("vigil-api");
        bundles.addAll(OsgiContainer.RUNTIME);
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        osgi = OsgiContainer.start(OsgiContainer.storage(test.getTestMethod().orElseThrow().getName()),
                Map.of("org.osgi.service.log.admin.loglevel", "INFO"), bundles);
        List<Entry> entries = listen();
        Bundle registry = osgi.bundle("dev.vigil.registry");
        await().atMost(OsgiContainer.TIMEOUT).until(() -> registry.getRegisteredServices() != null); // runtime up

        Path file = dir.resolve("felix.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.vigil.Finalization");
            recording.start();
            registry.stop(); // shuts the runtime down and reports (F7)
            recording.stop();
            recording.dump(file);
        }

        await().atMost(OsgiContainer.TIMEOUT).alias("a report among " + entries).until(() -> entries.stream()
                .anyMatch(e -> e.message().startsWith("Finalization of main")));
        Entry report = entries.stream().filter(e -> e.message().startsWith("Finalization of main")).findFirst()
                .orElseThrow();
        assertThat(report.logger()).isEqualTo("dev.vigil.finalization");
        assertThat(report.level()).isEqualTo("INFO");
        assertThat(report.bundle()).isEqualTo("dev.vigil.registry");
        assertThat(report.message()).contains("COMPLETED");
        Entry cause = entries.stream().filter(e -> e.message().contains("registry bundle stopping")).findFirst()
                .orElseThrow(() -> new AssertionError("no cause line among " + entries));
        assertThat(cause.logger()).isEqualTo("dev.vigil.signals");
        assertThat(cause.level()).isEqualTo("WARN");
        assertThat(err.text()).as("nothing of it on System.err").doesNotContain("Finalization of main")
                .doesNotContain("registry bundle stopping");

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(events).as("JFR event from inside Felix (jdk.jfr imported from the system bundle)")
                .anyMatch(e -> e.getEventType().getName().equals("dev.vigil.Finalization")
                        && "main".equals(e.getString("interpreter")) && "COMPLETED".equals(e.getString("outcome")));
    }

    /** Adds a LogListener (a proxy in the Log bundle's class loader) that collects every entry. */
    private List<Entry> listen() throws Exception {
        Bundle log = osgi.bundle("org.apache.felix.log");
        Class<?> listenerType = log.loadClass("org.osgi.service.log.LogListener");
        Class<?> entryType = log.loadClass("org.osgi.service.log.LogEntry");
        Class<?> readerType = log.loadClass("org.osgi.service.log.LogReaderService");
        Method loggerName = entryType.getMethod("getLoggerName");
        Method level = entryType.getMethod("getLogLevel");
        Method message = entryType.getMethod("getMessage");
        Method bundle = entryType.getMethod("getBundle");
        Method exception = entryType.getMethod("getException");
        List<Entry> entries = new CopyOnWriteArrayList<>();
        Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
                (proxy, m, args) -> {
                    if (m.getName().equals("logged")) {
                        Object e = args[0];
                        Bundle b = (Bundle) bundle.invoke(e);
                        Throwable t = (Throwable) exception.invoke(e);
                        if (t != null) {
                            t.printStackTrace(); // shows in the test report: a failing component
                        }
                        entries.add(new Entry((String) loggerName.invoke(e), String.valueOf(level.invoke(e)),
                                String.valueOf(message.invoke(e)), b == null ? null : b.getSymbolicName()));
                        return null;
                    }
                    return switch (m.getName()) {
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "test log listener";
                    };
                });
        // Through the Log bundle's own context: the host's class path may hold another copy of the
        // Log Service API, which would make the service invisible to the system bundle.
        org.osgi.framework.BundleContext logContext = log.getBundleContext();
        ServiceReference<?> ref = logContext.getServiceReference(readerType.getName());
        assertThat(ref).as("LogReaderService").isNotNull();
        readerType.getMethod("addLogListener", listenerType).invoke(logContext.getService(ref), listener);
        return entries;
    }
}
