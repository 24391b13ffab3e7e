package dev.vigil.contract;

import static dev.vigil.contract.Support.LONG;
import static dev.vigil.contract.Support.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import dev.vigil.spi.FinalizationPolicy;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations in plain Java (DESIGN.md §7): notices through the platform logging
 * ({@code System.Logger}, so java.util.logging here), progress lines while a shutdown waits,
 * the runtime's MXBean in the platform MBeanServer, and JFR events read back from a recording.
 */
class OperationsTest {

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "operations-worker");
        t.setDaemon(true);
        return t;
    });
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger vigilLogger = Logger.getLogger("dev.vigil");

    @AfterEach
    void tearDown() {
        vigilLogger.removeHandler(capture);
        pool.shutdownNow();
    }

    /** A guard on a new interpreter "worker", held by a pool thread until {@link #release()}. */
    private final class HeldGuard {
        final Interpreter worker;
        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        private final Future<?> holder;

        HeldGuard(VigilRuntime vigil) throws Exception {
            worker = vigil.registry().create("worker");
            var opened = new java.util.concurrent.CountDownLatch(1);
            holder = pool.submit(() -> {
                try (InterpreterGuard g = vigil.guards().fromView(vigil.guards().viewOf(worker)).orElseThrow()) {
                    opened.countDown();
                    release.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
                }
                return null;
            });
            assertThat(opened.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }

        /** Closes the guard and waits until its holder is done. */
        void release() throws Exception {
            release.countDown();
            holder.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** §7: with no notices sink given, a waiting shutdown's progress lines and its report reach a JUL handler. */
    @Test
    void ops7_noticesGoThroughSystemLogger_toJavaUtilLogging() throws Exception {
        vigilLogger.addHandler(capture);
        try (VigilRuntime vigil = Vigil.builder().option("vigil.progress", "100ms").build()) {
            HeldGuard held = new HeldGuard(vigil);
            Interpreter worker = held.worker;
            Future<FinalizationReport> shutdown = pool.submit(() -> vigil.registry().shutdown(worker));

            eventually().until(() -> records.stream().anyMatch(r -> r.getLoggerName().equals("dev.vigil.progress")));
            LogRecord progress = records.stream().filter(r -> r.getLoggerName().equals("dev.vigil.progress"))
                    .findFirst().orElseThrow();
            assertThat(progress.getLevel()).isEqualTo(Level.INFO);
            assertThat(progress.getMessage()).contains("shutdown of worker").contains("1 open guard(s)")
                    .contains("oldest held by \"operations-worker\"").contains("policy daemon-hang waits for ever")
                    .contains("would print the report and keep waiting");

            assertThat(vigil.interrupt()).isTrue(); // daemon-hang: the report, then it keeps waiting (P3b)
            eventually().until(() -> records.stream().anyMatch(r -> r.getLoggerName().equals("dev.vigil.finalization")
                    && r.getMessage().startsWith("Finalization of worker")));
            LogRecord report = records.stream().filter(r -> r.getLoggerName().equals("dev.vigil.finalization"))
                    .findFirst().orElseThrow();
            assertThat(report.getLevel()).isEqualTo(Level.WARNING);

            held.release();
            assertThat(shutdown.get(LONG.toMillis(), TimeUnit.MILLISECONDS).outcome())
                    .isEqualTo(FinalizationReport.Outcome.COMPLETED);
        }
        eventually().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("vigil-progress-"))); // nothing outlives the runtime
    }

    @Test
    void ops7_P6_badProgressOrJmxValue_refusedAtBuild_namingTheOption() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vigil.builder().option("vigil.progress", "often").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vigil.progress")
                .hasMessageContaining("often").hasMessageContaining("off");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vigil.builder().option("vigil.jmx", "yes").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vigil.jmx")
                .hasMessageContaining("yes");
    }

    /** §7: the MXBean lists an open guard, its shutdown operation finalizes an interpreter; gone after close. */
    @Test
    void ops7_mxBean_listsOpenGuard_shutdownOperationFinalizes_unregisteredOnClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name;
        try (VigilRuntime vigil = Vigil.builder().notices(n -> { }).build()) {
            Set<ObjectName> names = server.queryNames(new ObjectName("dev.vigil:type=Runtime,*"), null);
            HeldGuard held = new HeldGuard(vigil);
            Interpreter worker = held.worker;
            name = names.stream().filter(n -> {
                try {
                    CompositeData[] rows = (CompositeData[]) server.getAttribute(n, "OpenGuards");
                    for (CompositeData row : rows) {
                        if ("worker".equals(row.get("interpreter"))) {
                            return true;
                        }
                    }
                    return false;
                } catch (Exception e) {
                    return false;
                }
            }).findFirst().orElseThrow(() -> new AssertionError("no MXBean lists worker's guard among " + names));
            CompositeData[] guards = (CompositeData[]) server.getAttribute(name, "OpenGuards");
            assertThat(guards).hasSize(1);
            assertThat(guards[0].get("holderThread")).isEqualTo("operations-worker");
            assertThat(server.getAttribute(name, "OpenGuardCount")).isEqualTo(1);
            assertThat(server.getAttribute(name, "ActivePolicy")).isEqualTo("daemon-hang");
            CompositeData[] interpreters = (CompositeData[]) server.getAttribute(name, "Interpreters");
            assertThat(interpreters).extracting(c -> c.get("name")).containsExactly("main", "worker");

            held.release();
            String report = (String) server.invoke(name, "shutdown", new Object[] {worker.id()},
                    new String[] {long.class.getName()});
            assertThat(report).startsWith("Finalization of worker").contains("COMPLETED");
            assertThat(worker.state()).isEqualTo(InterpreterState.FINALIZED);

            server.invoke(name, "usePolicy", new Object[] {"daemon-hang"}, new String[] {String.class.getName()});
        }
        assertThat(server.isRegistered(name)).as("unregistered when the runtime closes").isFalse();
    }

    @Test
    void ops7_jmxOff_noMxBean() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> before = server.queryNames(new ObjectName("dev.vigil:*"), null);
        try (VigilRuntime vigil = Vigil.builder().option("vigil.jmx", "false").notices(n -> { }).build()) {
            assertThat(server.queryNames(new ObjectName("dev.vigil:*"), null)).isEqualTo(before);
        }
    }

    /**
     * §7: a recording of a finalization that waited on a guard holds the finalization event
     * (interpreter, policy, outcome, phases, guards waited on) and the policy's decisions; a
     * swap is an event too.
     */
    @Test
    void ops7_jfr_finalizationThatWaited_decisionsAndSwap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vigil.jfr");
        try (Recording recording = new Recording();
                VigilRuntime vigil = Vigil.builder().policy(new FinalizationPolicy() {
                    @Override
                    public String name() {
                        return "patient";
                    }
                }).notices(n -> { }).build()) {
            recording.enable("dev.vigil.Finalization");
            recording.enable("dev.vigil.PolicyDecision");
            recording.enable("dev.vigil.PolicySwap");
            recording.start();

            HeldGuard held = new HeldGuard(vigil);
            Interpreter worker = held.worker;
            Future<FinalizationReport> shutdown = pool.submit(() -> vigil.registry().shutdown(worker));
            eventually().until(() -> worker.state() == InterpreterState.SHUTTING_DOWN);
            // the first policy's decision is recorded before the swap (SHUTTING_DOWN comes first)
            eventually().until(() -> fileless(recording).stream().anyMatch(e -> "patient".equals(e)));
            vigil.policies().use("daemon-hang"); // P4: the waiting shutdown re-decides under it
            eventually().until(() -> fileless(recording).stream().anyMatch(e -> "daemon-hang".equals(e)));
            held.release();
            assertThat(shutdown.get(LONG.toMillis(), TimeUnit.MILLISECONDS).outcome())
                    .isEqualTo(FinalizationReport.Outcome.COMPLETED);
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent fin = events.stream().filter(e -> e.getEventType().getName().equals("dev.vigil.Finalization")
                && "worker".equals(e.getString("interpreter"))).findFirst()
                .orElseThrow(() -> new AssertionError("no finalization event in " + events));
        assertThat(fin.getString("outcome")).isEqualTo("COMPLETED");
        assertThat(fin.getString("initialPolicy")).isEqualTo("patient");
        assertThat(fin.getString("policy")).isEqualTo("daemon-hang");
        assertThat(fin.getString("phases")).contains("wait_guards=");
        assertThat(fin.getInt("guardsWaitedOn")).isEqualTo(1);
        assertThat(fin.getString("guardHolders")).isEqualTo("operations-worker");
        assertThat(events).anyMatch(e -> e.getEventType().getName().equals("dev.vigil.PolicyDecision")
                && "worker".equals(e.getString("interpreter")) && "patient".equals(e.getString("policy"))
                && "wait for ever".equals(e.getString("decision")));
        RecordedEvent swap = events.stream().filter(e -> e.getEventType().getName().equals("dev.vigil.PolicySwap"))
                .findFirst().orElseThrow(() -> new AssertionError("no swap event in " + events));
        assertThat(swap.getString("from")).isEqualTo("patient");
        assertThat(swap.getString("to")).isEqualTo("daemon-hang");
    }

    /** The policies of the decision events recorded so far (a copy of the running recording, read back). */
    private static List<String> fileless(Recording recording) throws Exception {
        Path copy = Files.createTempFile("vigil-", ".jfr");
        try {
            try (Recording snapshot = recording.copy(false)) {
                snapshot.dump(copy);
            }
            return RecordingFile.readAllEvents(copy).stream()
                    .filter(e -> e.getEventType().getName().equals("dev.vigil.PolicyDecision"))
                    .map(e -> e.getString("policy")).toList();
        } finally {
            Files.deleteIfExists(copy);
        }
    }
}
