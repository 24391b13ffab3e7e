package dev.vigil.it.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationReport;
import dev.vigil.it.cdi.config.PolicyConfigs;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;

/** The daemon-hang column of P3, and P4, through CDI beans (Arquillian, embedded Weld). */
class DaemonHangIT extends CdiPolicyConformance {

    @Deployment
    static JavaArchive deployment() {
        return deployment(PolicyConfigs.DaemonHang.class);
    }

    @Override
    String policy() {
        return "daemon-hang";
    }

    /**
     * P3a: the shutdown waits for an {@code @Attached} call however long it takes; calls made
     * from the executor meanwhile still run (F8); when the call returns, the shutdown completes.
     */
    @Test
    void P3a_daemonHang_shutdownWaitsForTheAttachedCall_untilItReturns() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        assertThat(get(async(service::whereAmI))).isEqualTo(TenantService.TENANT);
        assertStillWaiting(shutdown);

        gate.release();
        assertThat(get(held)).isEqualTo("released");
        assertThat(get(shutdown).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(log.summary()).containsExactly("requested tenant", "finalized tenant");
    }

    /** P3a: a bean holding a guard across a slow operation holds the shutdown off until it closes the guard. */
    @Test
    void P3a_daemonHang_guardHeldAcrossSlowOperation_holdsShutdownOff() throws Exception {
        Gate gate = gate(Gate.interruptible());
        CompletableFuture<String> slow = async(() -> slowOperation.run(tenant, gate));
        gate.awaitEntered();
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        assertStillWaiting(shutdown);

        gate.release();
        assertThat(get(slow)).isEqualTo("released");
        assertThat(get(shutdown).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
    }

    /** P3b: an interrupt prints the report (naming the open guard) and the shutdown keeps waiting. */
    @Test
    void P3b_daemonHang_interruptPrintsTheReport_andKeepsWaiting() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        interruptWaitingShutdown();

        await().atMost(Waits.BOUND).until(() -> Notices.lines().stream()
                .anyMatch(l -> l.contains("Finalization of tenant") && l.contains("open guards")));
        assertStillWaiting(shutdown);
        gate.release();
        assertThat(get(held)).isEqualTo("released");
        FinalizationReport report = get(shutdown);
        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(report.interruptsDelivered()).isGreaterThanOrEqualTo(1);
    }

    /**
     * P3c and P4: a late attach parks for ever under daemon-hang; swapping in fail-fast from a
     * bean makes it re-decide and fail.
     */
    @Test
    void P3c_daemonHang_lateAttachParks_untilASwapToFailFastFailsIt() throws Exception {
        CompletableFuture<String> outcome = lateAttachAfterFinalization(Gate.interruptible());

        await().atMost(Waits.BOUND).until(() -> lateAttacher.thread().getState() == Thread.State.WAITING);
        assertThat(outcome).isNotDone();

        policySwitch.use("fail-fast");
        assertThat(get(outcome)).isEqualTo("InterpreterFinalizingException");
    }

    /**
     * P4: a shutdown hung under daemon-hang on an {@code @Attached} call re-decides at once
     * when a bean swaps in fail-fast; its clock ran from when the wait began, past fail-fast's
     * grace, so it aborts (F6).
     */
    @Test
    void P4_swapPolicyMidShutdown_fromABean_unsticksTheHungShutdown() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();
        assertStillWaiting(shutdown);

        policySwitch.use("fail-fast");

        FinalizationReport report = aborted(shutdown);
        assertThat(report.initialPolicy()).isEqualTo("daemon-hang");
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertAbortLeftTenantUsable(report);
        assertThat(held).isNotDone();
    }
}
