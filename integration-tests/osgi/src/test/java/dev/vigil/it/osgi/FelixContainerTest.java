package dev.vigil.it.osgi;

import static dev.vigil.it.osgi.OsgiContainer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.it.osgi.holder.HolderBundle;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.kernel.Kernel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * The Vigil bundles in Apache Felix with SCR and Configuration Admin (issue 4): components
 * activate and register the DESIGN.md §1 services; policies swap by bundle and by
 * configuration, also under a waiting shutdown (P4); bad configuration is refused (P6);
 * stopping the registry bundle shuts the runtime down; guards are attributed to bundles (G6,
 * F7). Each test runs a fresh framework in a fresh storage folder. The API packages come from
 * the host (TOOLCHAIN.md pitfall 5), so the services are used through their real types.
 */
class FelixContainerTest {

    private static final String RUNTIME_PID = "dev.vigil.runtime";
    private static final Duration PROMPTLY = Duration.ofSeconds(2L * Long.getLong("vigil.test.timeoutFactor", 1L));

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<InterpreterGuard> guardsToClose = new ArrayList<>();
    private ErrCapture err;
    private OsgiContainer osgi;
    private Path storage;

    @BeforeEach
    void startFramework(TestInfo test) throws Exception {
        err = ErrCapture.install();
        storage = OsgiContainer.storage(test.getTestMethod().orElseThrow().getName());
        List<String> bundles = new ArrayList<>(OsgiContainer.RUNTIME);
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        osgi = OsgiContainer.start(storage, Map.of(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, OsgiContainer.API_FROM_HOST), bundles);
    }

    @AfterEach
    void stopFramework() {
        try {
            guardsToClose.forEach(InterpreterGuard::close);
            if (osgi != null) {
                // Stopping the framework shuts the runtime down; a guard a test left open on
                // purpose would keep daemon-hang waiting for ever.
                if (osgi.serviceCount(Policies.class.getName()) > 0
                        && policies().available().contains(FinalizationPolicy.FAIL_FAST)) {
                    policies().use(FinalizationPolicy.FAIL_FAST);
                }
                osgi.close();
            }
        } finally {
            executor.shutdownNow();
            err.close();
        }
    }

    // ---- services

    @Test
    @SuppressWarnings("try") // the token is held for its scope only
    void components_bundlesActive_servicesRegistered_andWorking() {
        for (Bundle b : osgi.context().getBundles()) {
            assertThat(b.getState()).as("state of %s", b.getSymbolicName()).isEqualTo(Bundle.ACTIVE);
        }
        for (Class<?> type : List.of(InterpreterRegistry.class, InterpreterGuards.class, ThreadStates.class,
                Policies.class, Kernel.class)) {
            osgi.service(type);
            assertThat(osgi.serviceCount(type.getName())).as("services %s", type.getSimpleName()).isEqualTo(1);
        }
        await().atMost(TIMEOUT).until(() -> osgi.serviceCount(FinalizationPolicy.class.getName()) == 3);
        await().atMost(TIMEOUT).until(() -> policies().available().size() == 3);
        assertThat(policies().available()).containsExactlyInAnyOrder("daemon-hang", "fail-fast", "timed-interrupt");
        assertThat(policies().active()).as("P1: equal rankings, daemon-hang first").isEqualTo("daemon-hang");

        Interpreter job = registry().create("job");
        try (InterpreterView view = guards().viewOf(job)) {
            InterpreterGuard guard = guards().fromView(view).orElseThrow();
            try (ThreadStateToken token = threadStates().ensure(guard)) {
                assertThat(threadStates().current()).contains(job);
            } finally {
                guard.close();
            }
        }
        FinalizationReport report = registry().shutdown(job);
        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(job.state()).isEqualTo(InterpreterState.FINALIZED);
    }

    // ---- P4: swapping by bundle

    @Test
    void P4_stoppingActivePolicyBundle_fallsBackByRanking_andItsReturnRestoresIt() throws Exception {
        awaitPolicies(3);
        policies().use("fail-fast");

        osgi.bundle("dev.vigil.policy.fail-fast").stop();
        assertThat(policies().active()).as("next available, daemon-hang first among equal rankings")
                .isEqualTo("daemon-hang");
        osgi.bundle("dev.vigil.policy.daemon-hang").stop();
        assertThat(policies().active()).as("the only one left").isEqualTo("timed-interrupt");
        osgi.bundle("dev.vigil.policy.timed-interrupt").stop();
        assertThat(policies().active()).as("P1: the built-in default").isEqualTo("daemon-hang");
        assertThat(policies().available()).containsExactly("daemon-hang");

        osgi.bundle("dev.vigil.policy.fail-fast").start();
        assertThat(policies().active()).as("chosen by name, back when its bundle is").isEqualTo("fail-fast");
    }

    @Test
    void P4_startingPolicyBundle_duringWaitingShutdown_abortsIt() throws Exception {
        awaitPolicies(3);
        policies().use("fail-fast");
        osgi.bundle("dev.vigil.policy.fail-fast").stop();
        assertThat(policies().active()).isEqualTo("daemon-hang");
        Interpreter stuck = registry().create("stuck");
        InterpreterGuard guard = openGuard(stuck);
        Future<FinalizationReport> shutdown = shutdownWaiting(stuck);

        long t0 = System.nanoTime();
        osgi.bundle("dev.vigil.policy.fail-fast").start();

        FinalizationReport report = aborted(shutdown);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPTLY);
        assertThat(report.initialPolicy()).isEqualTo("daemon-hang");
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertThat(stuck.state()).as("F6").isEqualTo(InterpreterState.RUNNING);
        guard.close();
        guardsToClose.remove(guard);
        assertThat(registry().shutdown(stuck).outcome()).as("F6: retried").isEqualTo(FinalizationReport.Outcome.COMPLETED);
    }

    @Test
    void P4_stoppingActivePolicyBundle_duringWaitingShutdown_fallsBack_andClosingTheGuardCompletes() throws Exception {
        awaitPolicies(3);
        osgi.configure("dev.vigil.policy.timed-interrupt", Map.of("timeout", "400ms"));
        await().atMost(TIMEOUT).until(() -> policyOption("timed-interrupt", "timeout").equals(Optional.of("400ms")));
        policies().use("timed-interrupt");
        Interpreter stuck = registry().create("stuck");
        InterpreterGuard guard = openGuard(stuck);
        Future<FinalizationReport> shutdown = shutdownWaiting(stuck);

        osgi.bundle("dev.vigil.policy.timed-interrupt").stop();
        assertThat(policies().active()).isEqualTo("daemon-hang");
        // Past timed-interrupt's timeout, daemon-hang keeps waiting: nothing is interrupted or aborted.
        await().during(Duration.ofMillis(800)).atMost(TIMEOUT).until(() -> !shutdown.isDone());
        assertThat(Thread.interrupted()).as("the holder (this thread) was not interrupted").isFalse();

        guard.close();
        guardsToClose.remove(guard);
        FinalizationReport report = shutdown.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(report.initialPolicy()).isEqualTo("timed-interrupt");
        assertThat(report.finalPolicy()).isEqualTo("daemon-hang");
        assertThat(stuck.state()).isEqualTo(InterpreterState.FINALIZED);
    }

    @Test
    void P4_serviceRanking_decides_andUnregisteringFallsBack() {
        awaitPolicies(3);
        FinalizationPolicy ranked = () -> "ranked";
        ServiceRegistration<FinalizationPolicy> registration = osgi.context().registerService(
                FinalizationPolicy.class, ranked, ranking(10));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("ranked"));
        registration.setProperties(ranking(-5));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("daemon-hang"));
        registration.setProperties(ranking(10));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("ranked"));
        registration.unregister();
        await().atMost(TIMEOUT).until(() -> policies().active().equals("daemon-hang"));
        assertThat(policies().available()).doesNotContain("ranked");
    }

    // ---- P4, P6: Configuration Admin

    @Test
    void P6_policyOptionsChanged_duringWaitingShutdown_reDecideAtOnce() throws Exception {
        awaitPolicies(3);
        osgi.configure("dev.vigil.policy.fail-fast", Map.of("grace", "PT1H"));
        await().atMost(TIMEOUT).until(() -> policyOption("fail-fast", "grace").isPresent()
                && !policyOption("fail-fast", "grace").equals(Optional.of("100ms")));
        policies().use("fail-fast");
        Interpreter stuck = registry().create("stuck");
        openGuard(stuck);
        Future<FinalizationReport> shutdown = shutdownWaiting(stuck);

        long t0 = System.nanoTime();
        osgi.configure("dev.vigil.policy.fail-fast", Map.of("grace", "100ms"));

        FinalizationReport report = aborted(shutdown);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPTLY);
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertThat(policies().active()).isEqualTo("fail-fast");
    }

    @Test
    void P4_configurationAdminPolicy_swapsAtOnce_andEmptyLetsTheRankingDecide() {
        awaitPolicies(3);
        osgi.configure(RUNTIME_PID, Map.of("policy", "timed-interrupt"));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("timed-interrupt"));
        osgi.configure(RUNTIME_PID, Map.of("policy", "fail-fast"));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("fail-fast"));
        osgi.configure(RUNTIME_PID, Map.of("policy", ""));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("daemon-hang"));
        osgi.configure(RUNTIME_PID, Map.of("policy", "fail-fast"));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("fail-fast"));
        osgi.deleteConfiguration(RUNTIME_PID);
        await().atMost(TIMEOUT).until(() -> policies().active().equals("daemon-hang"));
    }

    @Test
    void P4_configurationAdminPolicy_duringWaitingShutdown_abortsPromptly() throws Exception {
        awaitPolicies(3);
        Interpreter stuck = registry().create("stuck");
        InterpreterGuard guard = openGuard(stuck);
        Future<FinalizationReport> shutdown = shutdownWaiting(stuck);

        long t0 = System.nanoTime();
        osgi.configure(RUNTIME_PID, Map.of("policy", "fail-fast"));

        FinalizationReport report = aborted(shutdown);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PROMPTLY);
        assertThat(report.initialPolicy()).isEqualTo("daemon-hang");
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertThat(report.openGuards()).singleElement()
                .satisfies(g -> assertThat(g.owner()).contains(osgi.context().getBundle().getSymbolicName()));
        assertThat(guard.interpreter().state()).as("F6").isEqualTo(InterpreterState.RUNNING);
    }

    @Test
    void P6_badConfigurationValues_refusedWithReason_previousConfigurationStays() {
        awaitPolicies(3);
        osgi.configure(RUNTIME_PID, Map.of("policy", "fail-fast"));
        await().atMost(TIMEOUT).until(() -> policies().active().equals("fail-fast"));

        osgi.configure(RUNTIME_PID, Map.of("policy", "no-such-policy"));
        awaitNotice("refused", "no-such-policy");
        assertThat(policies().active()).isEqualTo("fail-fast");

        osgi.configure(RUNTIME_PID, Map.of("policy", "timed-interrupt", "diagnostics", "loud"));
        awaitNotice("refused", "\"loud\"");
        assertThat(policies().active()).as("all or none").isEqualTo("fail-fast");

        osgi.configure(RUNTIME_PID, Map.of("policy", "fail-fast", "signals", "maybe"));
        awaitNotice("refused", "\"maybe\"");

        osgi.configure(RUNTIME_PID, Map.of("policy", "fail-fast", "diagnostics", "full"));
        awaitNotice("take effect when the registry bundle next starts");
        assertThat(osgi.service(Kernel.class).diagnostics()).isEqualTo(DiagnosticsLevel.SIMPLE);
        assertThat(policies().active()).isEqualTo("fail-fast");
    }

    @Test
    void configuration_readWhenTheRegistryStarts_diagnosticsFull() throws Exception {
        awaitPolicies(3);
        osgi.configure(RUNTIME_PID, Map.of("diagnostics", "full", "policy", "fail-fast"));
        awaitNotice("take effect when the registry bundle next starts");
        Bundle registryBundle = osgi.bundle("dev.vigil.registry");
        registryBundle.stop();
        registryBundle.start();
        await().atMost(TIMEOUT).until(() -> osgi.service(Kernel.class).diagnostics() == DiagnosticsLevel.FULL);
        await("a configured policy is activated when its service binds").atMost(TIMEOUT)
                .until(() -> policies().active().equals("fail-fast"));
        try (InterpreterView view = guards().viewOfMain()) {
            InterpreterGuard guard = guards().fromView(view).orElseThrow();
            try {
                assertThat(guards().openGuards()).singleElement()
                        .satisfies(g -> assertThat(g.creationSite()).as("G6 at full").isNotEmpty());
            } finally {
                guard.close();
            }
        }
    }

    @Test
    void frameworkProperties_standInForAbsentConfigurationKeys() throws Exception {
        osgi.close();
        List<String> bundles = new ArrayList<>(OsgiContainer.RUNTIME);
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        osgi = OsgiContainer.start(OsgiContainer.storage("frameworkProperties"), Map.of(
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, OsgiContainer.API_FROM_HOST,
                "vigil.policy", "fail-fast", "vigil.diagnostics", "off"), bundles);
        await().atMost(TIMEOUT).until(() -> policies().active().equals("fail-fast"));
        assertThat(osgi.service(Kernel.class).diagnostics()).isEqualTo(DiagnosticsLevel.OFF);

        osgi.configure(RUNTIME_PID, Map.of("policy", "timed-interrupt"));
        await("configuration wins").atMost(TIMEOUT).until(() -> policies().active().equals("timed-interrupt"));
    }

    // ---- stopping the registry bundle

    @Test
    void stoppingRegistryBundle_shutsItsInterpretersDown_andStartingItMakesANewRuntime() throws Exception {
        Interpreter main = registry().main();
        Interpreter worker = registry().create("worker");
        CountDownLatch hooks = new CountDownLatch(2);
        registry().atExit(main, hooks::countDown);
        registry().atExit(worker, hooks::countDown);

        osgi.bundle("dev.vigil.registry").stop();

        assertThat(hooks.getCount()).as("F1 step 3 ran for both").isZero();
        assertThat(main.state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(worker.state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(err.text()).contains("registry bundle stopping").contains("COMPLETED");
        for (Class<?> type : List.of(InterpreterRegistry.class, InterpreterGuards.class, ThreadStates.class,
                Kernel.class)) {
            assertThat(osgi.serviceCount(type.getName())).as("%s gone", type.getSimpleName()).isZero();
        }

        osgi.bundle("dev.vigil.registry").start();
        assertThat(registry().main().state()).isEqualTo(InterpreterState.RUNNING);
        assertThat(registry().main().id()).isNotEqualTo(main.id());
        try (InterpreterView view = guards().viewOfMain()) {
            guards().fromView(view).orElseThrow().close();
        }
    }

    @Test
    void stoppingRegistryBundle_withGuardOpenUnderFailFast_printsAbortedReportNamingTheOwner() throws Exception {
        awaitPolicies(3);
        policies().use("fail-fast");
        openGuard(registry().main());

        osgi.bundle("dev.vigil.registry").stop();

        assertThat(err.text()).contains("ABORTED").contains("owner " + osgi.context().getBundle().getSymbolicName());
        assertThat(osgi.serviceCount(InterpreterRegistry.class.getName())).isZero();
    }

    // ---- G6, F7: attribution to bundles

    @Test
    void G6_guardsTakenThroughABundlesServiceObject_carryItsSymbolicName() throws Exception {
        registry().create(dev.vigil.it.osgi.holder.HolderActivator.INTERPRETER);
        openGuard(registry().main());
        Bundle holder = osgi.install(HolderBundle.write(storage));
        holder.start();

        assertThat(guards().openGuards()).extracting(GuardInfo::owner).containsExactlyInAnyOrder(
                Optional.of(osgi.context().getBundle().getSymbolicName()), Optional.of(HolderBundle.SYMBOLIC_NAME));
    }

    @Test
    void F7_bundleStoppedWhileHoldingAGuard_isNamedInANotice_andInTheReport() throws Exception {
        awaitPolicies(3);
        Interpreter tenant = registry().create(dev.vigil.it.osgi.holder.HolderActivator.INTERPRETER);
        Bundle holder = osgi.install(HolderBundle.write(storage));
        holder.start();
        holder.stop();
        awaitNotice("bundle " + HolderBundle.SYMBOLIC_NAME + " stopped while holding 1 open guard");

        policies().use("fail-fast");
        assertThatThrownBy(() -> registry().shutdown(tenant)).isInstanceOfSatisfying(FinalizationAbortedException.class,
                e -> {
                    assertThat(e.report().openGuards()).singleElement()
                            .satisfies(g -> assertThat(g.owner()).contains(HolderBundle.SYMBOLIC_NAME));
                    assertThat(e.report().toString()).contains("owner " + HolderBundle.SYMBOLIC_NAME);
                });
    }

    // ---- helpers

    private InterpreterRegistry registry() {
        return osgi.service(InterpreterRegistry.class);
    }

    private InterpreterGuards guards() {
        return osgi.service(InterpreterGuards.class);
    }

    private ThreadStates threadStates() {
        return osgi.service(ThreadStates.class);
    }

    private Policies policies() {
        return osgi.service(Policies.class);
    }

    private void awaitPolicies(int n) {
        await().atMost(TIMEOUT).until(() -> policies().available().size() == n);
    }

    private static Hashtable<String, Object> ranking(int ranking) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(Constants.SERVICE_RANKING, ranking);
        return p;
    }

    private Optional<String> policyOption(String policy, String option) {
        for (Object p : serviceObjects(FinalizationPolicy.class)) {
            FinalizationPolicy fp = (FinalizationPolicy) p;
            if (fp.name().equals(policy)) {
                return Optional.ofNullable(fp.options().get(option));
            }
        }
        return Optional.empty();
    }

    private List<Object> serviceObjects(Class<?> type) {
        List<Object> found = new ArrayList<>();
        try {
            var refs = osgi.context().getServiceReferences(type.getName(), null);
            if (refs != null) {
                for (var r : refs) {
                    found.add(osgi.context().getService(r));
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return found;
    }

    /** Opens a guard through the system bundle's service object; closed after the test. */
    private InterpreterGuard openGuard(Interpreter interpreter) {
        try (InterpreterView view = guards().viewOf(interpreter)) {
            InterpreterGuard g = guards().fromView(view).orElseThrow();
            guardsToClose.add(g);
            return g;
        }
    }

    /** Starts {@code shutdown(interpreter)} on a thread of its own and returns once it waits. */
    private Future<FinalizationReport> shutdownWaiting(Interpreter interpreter) {
        AtomicReference<Thread> finalizer = new AtomicReference<>();
        Future<FinalizationReport> f = executor.submit(() -> {
            finalizer.set(Thread.currentThread());
            return registry().shutdown(interpreter);
        });
        await().atMost(TIMEOUT).until(() -> {
            Thread t = finalizer.get();
            return interpreter.state() == InterpreterState.SHUTTING_DOWN && t != null
                    && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
        });
        assertThat(f).isNotDone();
        return f;
    }

    /** The report of a shutdown that must end aborted (F6) within the timeout. */
    private static FinalizationReport aborted(Future<FinalizationReport> shutdown) throws Exception {
        try {
            FinalizationReport r = shutdown.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("shutdown completed instead of aborting:\n" + r);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(FinalizationAbortedException.class);
            return ((FinalizationAbortedException) e.getCause()).report();
        }
    }

    private void awaitNotice(String... parts) {
        await().atMost(TIMEOUT).until(() -> {
            String text = err.text();
            for (String line : text.split("\\R")) {
                boolean all = true;
                for (String p : parts) {
                    all &= line.contains(p);
                }
                if (all) {
                    return true;
                }
            }
            return false;
        });
    }
}
