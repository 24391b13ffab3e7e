package dev.vigil.it.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.it.cdi.config.PolicyConfigs;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;

/** The fail-fast column of P3 through CDI beans (Arquillian, embedded Weld), grace 1s. */
class FailFastIT extends CdiPolicyConformance {

    private static final Duration GRACE = Duration.ofSeconds(1);

    @Deployment
    static JavaArchive deployment() {
        return deployment(PolicyConfigs.FailFast.class);
    }

    @Override
    String policy() {
        return "fail-fast";
    }

    /**
     * P3a and F6: the shutdown waits at most the grace on an {@code @Attached} call, then
     * aborts; calls from the executor run throughout; after the abort the tenant works and a
     * retried shutdown completes.
     */
    @Test
    void P3a_failFast_abortsAfterTheGrace_andTheTenantKeepsWorking() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        assertThat(get(async(service::whereAmI))).isEqualTo(TenantService.TENANT);
        FinalizationReport report = aborted(shutdown);

        assertThat(report.abortReason()).hasValueSatisfying(r -> assertThat(r).contains("grace 1s"));
        assertThat(report.total()).isGreaterThanOrEqualTo(GRACE);
        assertAbortLeftTenantUsable(report);
        gate.release();
        assertThat(get(held)).isEqualTo("released");
        assertThat(registry.shutdown(tenant).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
    }

    /** P3a: a guard held across a slow operation makes the shutdown abort after the grace; the guard stays valid. */
    @Test
    void P3a_failFast_guardHeldAcrossSlowOperation_abortsTheShutdown() throws Exception {
        Gate gate = gate(Gate.stubborn());
        CompletableFuture<String> slow = async(() -> slowOperation.run(tenant, gate));
        gate.awaitEntered();

        assertAbortLeftTenantUsable(aborted(startShutdown()));

        gate.release();
        assertThat(get(slow)).isEqualTo("released");
    }

    /** P3b: an interrupt aborts at once, long before the grace. */
    @Test
    void P3b_failFast_interruptAbortsAtOnce() throws Exception {
        Gate gate = Gate.interruptible();
        CompletableFuture<String> held = holdAttached(gate);
        CompletableFuture<FinalizationReport> shutdown = startShutdown();

        interruptWaitingShutdown();

        FinalizationReport report = aborted(shutdown);
        assertThat(report.abortReason()).hasValueSatisfying(r -> assertThat(r).startsWith("interrupted"));
        assertThat(report.interruptsDelivered()).isEqualTo(1);
        assertAbortLeftTenantUsable(report);
        assertThat(held).isNotDone();
    }

    /** P3c: a late attach fails at once with InterpreterFinalizingException. */
    @Test
    void P3c_failFast_lateAttachFails() throws Exception {
        assertThat(get(lateAttachAfterFinalization(Gate.interruptible()))).isEqualTo("InterpreterFinalizingException");
    }
}
