package dev.vigil.it.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What holds through CDI under every policy, and the helpers the per-policy classes drive the
 * P3 table with. Each subclass deploys the beans of this package with one configuration
 * observer ({@code dev.vigil.it.cdi.config.PolicyConfigs}) into Arquillian's embedded Weld;
 * the Vigil extension comes from the class path, found through {@code META-INF/services}.
 *
 * <p>The container's runtime lives as long as the deployment, so every test works on a
 * subinterpreter named {@link TenantService#TENANT}, created before and finalized after each
 * test; the main interpreter is finalized when Arquillian undeploys (the extension's
 * container shutdown, proven in {@link ContainerShutdownTest}).
 */
@ExtendWith({ArquillianExtension.class, CdiPolicyConformance.EachTest.class})
abstract class CdiPolicyConformance {

    /**
     * Runs {@link #createTenant()} and {@link #finalizeTenant()} around each test, after
     * Arquillian injected the test instance. (Arquillian's JUnit 5 extension does not run
     * {@code @BeforeEach}/{@code @AfterEach} methods of tests it runs in the embedded Weld
     * container; extension callbacks registered after it run in order.)
     */
    static final class EachTest implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            ((CdiPolicyConformance) context.getRequiredTestInstance()).createTenant();
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            ((CdiPolicyConformance) context.getRequiredTestInstance()).finalizeTenant();
        }
    }

    @Inject VigilRuntime runtime;
    @Inject InterpreterRegistry registry;
    @Inject InterpreterGuards guards;
    @Inject ThreadStates threadStates;
    @Inject Policies policies;

    @Inject TenantService service;
    @Inject SlowOperation slowOperation;
    @Inject TenantWorker worker;
    @Inject LateAttacher lateAttacher;
    @Inject FinalizationLog log;
    @Inject PolicySwitch policySwitch;

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Gate> gates = new CopyOnWriteArrayList<>();
    Interpreter tenant;

    /** The policy the deployment configures. */
    abstract String policy();

    /** The deployment: the beans of this package and one configuration observer. */
    static JavaArchive deployment(Class<?> configuration) {
        return ShrinkWrap.create(JavaArchive.class, configuration.getSimpleName() + ".jar")
                .addClasses(TenantService.class, SlowOperation.class, TenantWorker.class, LateAttacher.class,
                        FinalizationLog.class, PolicySwitch.class, Gate.class, Notices.class, Waits.class,
                        configuration)
                .addAsManifestResource(new StringAsset("<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" "
                        + "version=\"4.0\" bean-discovery-mode=\"annotated\"/>"), "beans.xml");
    }

    void createTenant() {
        Notices.clear();
        log.clear();
        tenant = registry.create(TenantService.TENANT);
    }

    /** Releases what a test held, undoes a policy swap and finalizes the tenant, all bounded. */
    void finalizeTenant() throws InterruptedException {
        gates.forEach(Gate::release);
        executor.shutdown();
        assertThat(executor.awaitTermination(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        policies.use(policy());
        if (tenant.state() != InterpreterState.FINALIZED) {
            assertThat(registry.shutdown(tenant).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        }
    }

    // ---- helpers

    Gate gate(Gate gate) {
        gates.add(gate);
        return gate;
    }

    <T> CompletableFuture<T> async(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, executor);
    }

    /** An {@code @Attached} call, from the executor, that holds the tenant until the gate opens. */
    CompletableFuture<String> holdAttached(Gate gate) throws InterruptedException {
        CompletableFuture<String> held = async(() -> service.hold(gate(gate)));
        gate.awaitEntered();
        return held;
    }

    /** Starts shutting the tenant down and waits, bounded, until its finalization was requested (F1 step 1). */
    CompletableFuture<FinalizationReport> startShutdown() {
        CompletableFuture<FinalizationReport> shutdown = async(() -> registry.shutdown(tenant));
        await().atMost(Waits.BOUND).until(() -> log.summary().contains("requested " + TenantService.TENANT));
        return shutdown;
    }

    /** Delivers interrupts (S2) until one reached the waiting shutdown. */
    void interruptWaitingShutdown() {
        await().atMost(Waits.BOUND).until(runtime::interrupt);
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The report of a shutdown that must abort (F6). */
    static FinalizationReport aborted(CompletableFuture<FinalizationReport> shutdown) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> shutdown.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS));
        assertThat(e.getCause()).isInstanceOf(FinalizationAbortedException.class);
        return ((FinalizationAbortedException) e.getCause()).report();
    }

    /** Checks that a shutdown is still waiting after {@link Waits#STILL_WAITING}. */
    static void assertStillWaiting(CompletableFuture<FinalizationReport> shutdown) {
        assertThatThrownBy(() -> shutdown.get(Waits.STILL_WAITING.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
    }

    /**
     * F6: after an abort the tenant is RUNNING and {@code @Attached} calls run again; the
     * aborted event was fired.
     */
    void assertAbortLeftTenantUsable(FinalizationReport report) {
        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.ABORTED);
        assertThat(tenant.state()).isEqualTo(InterpreterState.RUNNING);
        assertThat(log.summary()).containsExactly("requested tenant", "aborted tenant");
        assertThat(service.whereAmI()).isEqualTo(TenantService.TENANT);
    }

    /** The tenant finalizes under the gate's late attacher: detached, it is not waited on. */
    CompletableFuture<String> lateAttachAfterFinalization(Gate gate) throws Exception {
        CompletableFuture<String> outcome = lateAttacher.start(tenant, gate(gate));
        gate.awaitEntered();
        assertThat(registry.shutdown(tenant).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        gate.release(); // the thread attaches again: a late attach (P2c)
        return outcome;
    }

    /**
     * A bean leaks a guard of the tenant; collects garbage, bounded, until the runtime
     * reported the leak (P2d), and returns the notice.
     */
    static String leakAGuardAndAwaitTheReport(SlowOperation bean, Interpreter interpreter) {
        bean.leakGuard(interpreter);
        return await().atMost(Waits.BOUND).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return Notices.lines().stream().filter(l -> l.contains("leaked guard")).findFirst().orElse(null);
        }, Objects::nonNull);
    }

    // ---- what holds under every policy

    /** Every Vigil service is injectable, and each is the container runtime's own. */
    @Test
    void injection_everyServiceIsTheContainersRuntime() {
        assertThat(registry).isSameAs(runtime.registry());
        assertThat(guards).isSameAs(runtime.guards());
        assertThat(threadStates).isSameAs(runtime.threadStates());
        assertThat(policies).isSameAs(runtime.policies());
        assertThat(policies.active()).isEqualTo(policy());
        assertThat(registry.interpreters()).extracting(Interpreter::name).containsExactly("main", TenantService.TENANT);
    }

    /** T3 through {@code @Attached}: the body runs attached to the named interpreter, and the thread is released after. */
    @Test
    void T3_attachedRunsTheBodyAttached_andReleases() throws Exception {
        assertThat(get(async(() -> service.whereAmI() + " " + service.whereAmIOnMain()
                + " " + threadStates.current().map(Interpreter::name).orElse("released"))))
                .isEqualTo("tenant main released");
        assertThat(threadStates.current()).isEmpty();
    }

    /** G5 through {@code @Attached}: on a finalized interpreter the call fails and the body never runs. */
    @Test
    void G5_attachedOnFinalizedInterpreter_failsWithoutRunningTheBody() {
        assertThat(registry.shutdown(tenant).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        int bodies = service.bodiesRun();

        assertThatThrownBy(service::whereAmI)
                .isInstanceOfSatisfying(InterpreterFinalizingException.class,
                        e -> assertThat(e.interpreterId()).isEqualTo(tenant.id()))
                .hasMessageContaining("whereAmI not run: interpreter \"tenant\"");
        assertThat(service.bodiesRun()).isEqualTo(bodies);
    }

    /** {@code @Attached} naming an interpreter never created fails with a message naming it; the body does not run. */
    @Test
    void attachedToAnUnknownInterpreter_failsClearly() {
        int bodies = service.bodiesRun();

        assertThatThrownBy(service::nowhere).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no interpreter named \"no-such-interpreter\"");
        assertThat(service.bodiesRun()).isEqualTo(bodies);
    }

    /**
     * F1 step 1 through CDI: an observer of FinalizationRequested stops a worker on a
     * non-daemon interpreter thread, which step 2 joins, so the shutdown completes; then
     * InterpreterFinalized is fired.
     */
    @Test
    void F1_finalizationRequestedObserver_stopsTheWorker_soShutdownCompletes() throws Exception {
        CompletableFuture<String> work = worker.start(tenant);

        FinalizationReport report = get(async(() -> registry.shutdown(tenant)));

        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(get(work)).isEqualTo("tenant: stopped");
        assertThat(log.summary()).containsExactly("requested tenant", "finalized tenant");
        FinalizationLog.Entry requested = log.entries().get(0);
        assertThat(requested.state()).isEqualTo(InterpreterState.SHUTTING_DOWN);
        assertThat(requested.threadId()).isEqualTo(report.finalizerThreadId());
    }
}
