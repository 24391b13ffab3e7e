package dev.vigil.it.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import dev.vigil.it.cdi.config.PolicyConfigs;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The extension in plain Weld SE ({@code new Weld().initialize()}, found through
 * {@code META-INF/services}): configuration by system properties and observers, and the
 * runtime's shutdown when the container shuts down — which Arquillian's lifecycle hides.
 */
class ContainerShutdownTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @BeforeEach
    void clearNotices() {
        Notices.clear();
    }

    @AfterEach
    void stopExecutor() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    /**
     * Starts Weld SE as an application does: the test beans are discovered (test-classes has a
     * beans.xml), the extension is found through META-INF/services; plus the given beans.
     */
    private static WeldContainer start(Class<?>... beans) {
        return new Weld().property("org.jboss.weld.se.shutdownHook", false).addBeanClasses(beans).initialize();
    }

    /** F1 at container shutdown: observers stop their workers, the runtime finalizes, events fire. */
    @Test
    void F1_containerShutdown_finalizesRuntimeUnderActivePolicy_firingEvents() throws Exception {
        WeldContainer weld = start(PolicyConfigs.FailFast.class);
        VigilRuntime runtime = weld.select(VigilRuntime.class).get();
        Interpreter main = runtime.registry().main();
        Interpreter tenant = runtime.registry().create(TenantService.TENANT);
        CompletableFuture<String> worker = weld.select(TenantWorker.class).get().start(main);
        List<FinalizationLog.Entry> events = weld.select(FinalizationLog.class).get().entries();
        assertThat(weld.select(TenantService.class).get().whereAmI()).isEqualTo(TenantService.TENANT);

        weld.close();

        assertThat(worker.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("main: stopped");
        assertThat(main.state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(tenant.state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(events).extracting(e -> e.kind() + " " + e.interpreter())
                .containsExactly("requested main", "requested tenant", "finalized tenant", "finalized main");
        assertThat(events.get(0).state()).isEqualTo(InterpreterState.SHUTTING_DOWN);
    }

    /** P1/P6: with no observer, {@code vigil.policy} and {@code vigil.policy.<name>.<option>} configure the runtime. */
    @Test
    void P6_systemProperties_chooseThePolicyAndItsOptions() throws Exception {
        System.setProperty("vigil.policy", "fail-fast");
        System.setProperty("vigil.policy.fail-fast.grace", "150ms");
        WeldContainer weld;
        try {
            weld = start();
        } finally {
            System.clearProperty("vigil.policy");
            System.clearProperty("vigil.policy.fail-fast.grace");
        }
        try {
            VigilRuntime runtime = weld.select(VigilRuntime.class).get();
            assertThat(runtime.policies().active()).isEqualTo("fail-fast");
            runtime.registry().create(TenantService.TENANT);
            Gate gate = Gate.interruptible();
            TenantService service = weld.select(TenantService.class).get();
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> service.hold(gate), executor);
            gate.awaitEntered();
            Interpreter tenant = runtime.registry().interpreters().get(1);
            assertThatThrownBy(() -> runtime.registry().shutdown(tenant))
                    .isInstanceOf(FinalizationAbortedException.class)
                    .hasMessageContaining("grace 150ms");
            gate.release();
            assertThat(held.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("released");
        } finally {
            weld.close();
        }
    }

    /** An observer's bad option fails the deployment with the message naming it (P6). */
    @Test
    void P6_badOption_failsTheDeployment() {
        assertThatThrownBy(() -> start(PolicyConfigs.BadGrace.class))
                .hasStackTraceContaining("fail-fast.grace");
    }

    /**
     * F6 at container shutdown: when the policy aborts, the report goes to the notices, the
     * container goes on shutting down, and the runtime is RUNNING with its guard still held.
     */
    @Test
    void F6_containerShutdownAborted_isReportedAndTheContainerStops() throws Exception {
        WeldContainer weld = start(PolicyConfigs.FailFast.class);
        VigilRuntime runtime = weld.select(VigilRuntime.class).get();
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> holdMain(runtime, gate), executor);
        gate.awaitEntered();

        weld.close();

        assertThat(weld.isRunning()).isFalse();
        assertThat(runtime.registry().main().state()).isEqualTo(InterpreterState.RUNNING);
        assertThat(Notices.lines()).anySatisfy(l -> assertThat(l)
                .contains("container shutdown goes on with the runtime RUNNING").contains("aborted by policy fail-fast"));
        gate.release();
        assertThat(held.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("released");
        runtime.close(); // nothing holds it now
        assertThat(runtime.registry().main().state()).isEqualTo(InterpreterState.FINALIZED);
    }

    @SuppressWarnings("try") // the guard is only held, and closed by try-with-resources
    private static String holdMain(VigilRuntime runtime, Gate gate) {
        InterpreterGuards guards = runtime.guards();
        try (var view = guards.viewOfMain(); var guard = guards.fromView(view).orElseThrow()) {
            return gate.hold();
        }
    }

    /** Every service is injectable and is the container runtime's own. */
    @Test
    void injection_everyServiceIsTheRuntimes() {
        WeldContainer weld = start(PolicyConfigs.DaemonHang.class);
        try {
            VigilRuntime runtime = weld.select(VigilRuntime.class).get();
            assertThat(weld.select(InterpreterRegistry.class).get()).isSameAs(runtime.registry());
            assertThat(weld.select(InterpreterGuards.class).get()).isSameAs(runtime.guards());
            assertThat(weld.select(ThreadStates.class).get()).isSameAs(runtime.threadStates());
            assertThat(weld.select(Policies.class).get()).isSameAs(runtime.policies());
            assertThat(runtime.policies().active()).isEqualTo("daemon-hang");
        } finally {
            weld.close();
        }
    }

    /**
     * P3d under fail-fast: a leaked guard is reported and still counted, so shutting the
     * tenant down aborts after the grace; so does the container's shutdown, which stops anyway.
     */
    @Test
    void P3d_failFast_leakedGuardIsReportedAndStillCounted() {
        WeldContainer weld = start(PolicyConfigs.FailFast.class);
        VigilRuntime runtime = weld.select(VigilRuntime.class).get();
        Interpreter tenant = runtime.registry().create(TenantService.TENANT);

        assertThat(CdiPolicyConformance.leakAGuardAndAwaitTheReport(weld.select(SlowOperation.class).get(), tenant))
                .contains("still counted under policy fail-fast");
        assertThatThrownBy(() -> runtime.registry().shutdown(tenant))
                .isInstanceOf(FinalizationAbortedException.class);

        weld.close();
        assertThat(weld.isRunning()).isFalse();
        assertThat(tenant.state()).isEqualTo(InterpreterState.RUNNING);
    }
}
