package dev.vigil.it.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationReport;
import dev.vigil.it.cdi.config.PolicyConfigs;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;

/**
 * The timed-interrupt column of P3 through CDI beans (Arquillian, embedded Weld): timeout 3s,
 * interruptGrace 500ms, interruptDelay 1s.
 */
class TimedInterruptIT extends CdiPolicyConformance {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Deployment
    static JavaArchive deployment() {
        return deployment(PolicyConfigs.TimedInterrupt.class);
    }

    @Override
    String policy() {
        return "timed-interrupt";
    }

    /**
     * P3a: after the timeout the holder's thread is interrupted; the {@code @Attached} call
     * lets go and the shutdown completes. Calls from the executor run until then.
     */
    @Test
    void P3a_timedInterrupt_interruptsTheAttachedHolder_thenCompletes() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        assertThat(get(async(service::whereAmI))).isEqualTo(TenantService.TENANT);
        FinalizationReport report = get(shutdown);

        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(report.total()).isGreaterThanOrEqualTo(TIMEOUT);
        assertThat(get(held)).isEqualTo("interrupted");
        assertThat(log.summary()).containsExactly("requested tenant", "finalized tenant");
    }

    /** P3a: a holder that ignores the interrupt makes the shutdown abort interruptGrace later (F6). */
    @Test
    void P3a_timedInterrupt_abortsWhenTheHolderIgnoresTheInterrupt() throws Exception {
        Gate gate = gate(Gate.stubborn());
        CompletableFuture<String> slow = async(() -> slowOperation.run(tenant, gate));
        gate.awaitEntered();

        FinalizationReport report = aborted(startShutdown());

        assertThat(report.abortReason()).hasValueSatisfying(r -> assertThat(r).contains("interruptGrace"));
        assertAbortLeftTenantUsable(report);
        gate.release();
        assertThat(get(slow)).isEqualTo("released");
    }

    /**
     * P3b: an interrupt during the first interruptDelay is ignored with a notice; a later one
     * acts as the timeout would, interrupting the holder well before the timeout.
     */
    @Test
    void P3b_timedInterrupt_earlyInterruptIgnored_laterOneInterruptsTheHolder() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        interruptWaitingShutdown();
        await().atMost(Waits.BOUND).until(() -> Notices.lines().stream().anyMatch(l -> l.contains("interrupt ignored")));
        assertThat(held).isNotDone();
        await().atMost(Waits.BOUND).pollInterval(Duration.ofMillis(100)).until(() -> {
            runtime.interrupt();
            return held.isDone();
        });

        assertThat(get(held)).isEqualTo("interrupted");
        FinalizationReport report = get(shutdown);
        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(report.total()).isLessThan(TIMEOUT);
        assertThat(Notices.lines()).anyMatch(l -> l.contains("interrupting the holders now"));
    }

    /** P3c: a late attach parks until its thread is interrupted, then fails. */
    @Test
    void P3c_timedInterrupt_lateAttachParks_untilInterrupted() throws Exception {
        CompletableFuture<String> outcome = lateAttachAfterFinalization(Gate.interruptible());

        await().atMost(Waits.BOUND).until(() -> lateAttacher.thread().getState() == Thread.State.TIMED_WAITING);
        assertThat(outcome).isNotDone();

        lateAttacher.thread().interrupt();
        assertThat(get(outcome)).isEqualTo("InterpreterFinalizingException");
    }

    /** P3d: a leaked guard is reported and reclaimed, so the shutdown does not wait for it. */
    @Test
    void P3d_timedInterrupt_leakedGuardIsReportedAndReclaimed() throws Exception {
        assertThat(leakAGuardAndAwaitTheReport(slowOperation, tenant)).contains("reclaimed by policy timed-interrupt");

        FinalizationReport report = get(async(() -> registry.shutdown(tenant)));

        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(report.total()).isLessThan(TIMEOUT);
    }
}
