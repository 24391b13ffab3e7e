package dev.vigil.policy.daemonhang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import dev.vigil.policy.testing.ShutdownHarness;
import dev.vigil.policy.testing.ShutdownHarness.Holder;
import dev.vigil.policy.testing.ShutdownHarness.HolderMode;
import dev.vigil.policy.testing.ShutdownHarness.LateAttacher;
import dev.vigil.policy.testing.ShutdownHarness.Shutdown;
import dev.vigil.policy.testing.TestPolicies;
import dev.vigil.spi.FinalizationPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon-hang column of DESIGN.md P3, in a real runtime built by {@code Vigil.builder()}.
 * "For ever" is checked as "still waiting after a while, then unstuck by the test".
 */
class DaemonHangPolicyTest {

    private static final Duration A_WHILE = Duration.ofMillis(400);

    private ShutdownHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    /** A runtime under daemon-hang, with the test's {@code unstick} policy installed to end what hangs. */
    private ShutdownHarness daemonHang(String diagnostics) {
        h = ShutdownHarness.of(Vigil.builder().policy(TestPolicies.unstick()).option("vigil.diagnostics", diagnostics));
        h.policies().use(FinalizationPolicy.DAEMON_HANG);
        assertThat(h.policies().active()).isEqualTo(FinalizationPolicy.DAEMON_HANG);
        return h;
    }

    @Test
    void P1_foundByServiceLoader_withoutOptions() {
        assertThat(ServiceLoader.load(FinalizationPolicy.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(p -> assertThat(p).isInstanceOf(DaemonHangPolicy.class));
        DaemonHangPolicy p = new DaemonHangPolicy();
        assertThat(p.name()).isEqualTo("daemon-hang");
        assertThat(p.options()).isEmpty();
        assertThat(p.withOptions(Map.of())).isSameAs(p);
        assertThatThrownBy(() -> p.withOptions(Map.of("timeout", "1s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("daemon-hang").hasMessageContaining("timeout");
    }

    @Test
    void P1_activeByName_fromTheBuilder() {
        h = ShutdownHarness.of(Vigil.builder().policy("daemon-hang"));
        assertThat(h.policies().active()).isEqualTo("daemon-hang");
        assertThat(h.policies().available()).contains("daemon-hang");
    }

    @Test
    void P3a_waitsForEver_onAnOpenGuard_andCompletesWhenItCloses() {
        daemonHang("simple");
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();

        s.assertStillWaitingFor(A_WHILE);
        assertThat(h.main().state()).isEqualTo(InterpreterState.SHUTTING_DOWN);
        assertThat(holder.interruptedAfter()).as("daemon-hang never interrupts holders").isEmpty();

        holder.release();
        FinalizationReport report = s.awaitCompleted();
        assertThat(report.finalPolicy()).isEqualTo("daemon-hang");
        assertThat(report.events()).anySatisfy(e -> assertThat(e).contains("policy daemon-hang: wait for ever"));
        assertThat(h.main().state()).isEqualTo(InterpreterState.FINALIZED);
    }

    @Test
    void P3b_interruptPrintsTheReport_andTheWaitGoesOn() {
        daemonHang("simple");
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();

        assertThat(h.runtime().interrupt()).as("a shutdown was waiting to receive it").isTrue();
        String printed = h.awaitNotice("Finalization of main");
        assertThat(printed).contains("IN_PROGRESS").contains("interrupts delivered: 1")
                .contains("held by thread \"" + holder.thread().getName() + "\"");
        s.assertStillWaitingFor(A_WHILE);

        holder.release();
        FinalizationReport report = s.awaitCompleted();
        assertThat(report.interruptsDelivered()).isEqualTo(1);
    }

    @Test
    void P3c_lateAttachParksForEver_throughInterrupts() {
        daemonHang("simple");
        h.startShutdown().awaitCompleted();

        LateAttacher late = h.startLateAttach().awaitParked();
        assertThat(late.parkState()).as("parked without a deadline").isEqualTo(Thread.State.WAITING);
        late.thread().interrupt();
        h.runtime().interrupt();
        late.assertStillParkedFor(A_WHILE);
        late.awaitParked();
        assertThat(late.parkState()).isEqualTo(Thread.State.WAITING);

        h.policies().use(TestPolicies.UNSTICK); // P4: a parked late attach re-decides at once
        assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
    }

    @Test
    void P3d_leakedGuardIsReported_andStillCounted() {
        daemonHang("full");
        String notice = h.leakGuardAndAwaitReport(h.main());

        assertThat(notice).contains("still counted under policy daemon-hang")
                .contains("opened at dev.vigil.policy.testing.ShutdownHarness.leakGuard");
        assertThat(h.guards().openGuards()).as("the leaked guard stays open").hasSize(1);
        Shutdown s = h.startShutdown().awaitWaiting();
        s.assertStillWaitingFor(A_WHILE);

        h.policies().use(TestPolicies.UNSTICK);
        assertThat(s.awaitAborted().report().openGuards()).hasSize(1);
        assertThat(h.main().state()).isEqualTo(InterpreterState.RUNNING);
    }
}
