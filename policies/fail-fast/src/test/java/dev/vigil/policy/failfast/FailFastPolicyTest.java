package dev.vigil.policy.failfast;

import static dev.vigil.policy.testing.ShutdownHarness.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import dev.vigil.policy.testing.ComponentContract;
import dev.vigil.policy.testing.ShutdownHarness;
import dev.vigil.policy.testing.ShutdownHarness.Holder;
import dev.vigil.policy.testing.ShutdownHarness.HolderMode;
import dev.vigil.policy.testing.ShutdownHarness.LateAttacher;
import dev.vigil.policy.testing.ShutdownHarness.Shutdown;
import dev.vigil.spi.FinalizationPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fail-fast column of DESIGN.md P3 and its option (P6), in a runtime built by {@code Vigil.builder()}. */
class FailFastPolicyTest {

    private ShutdownHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private ShutdownHarness failFast(String grace) {
        h = ShutdownHarness.of(Vigil.builder().policy("fail-fast").option("fail-fast.grace", grace));
        assertThat(h.policies().active()).isEqualTo("fail-fast");
        return h;
    }

    @Test
    void P6_defaultGrace_configuredCopies_andRefusedValues() {
        FailFastPolicy p = new FailFastPolicy();
        assertThat(ServiceLoader.load(FinalizationPolicy.class).stream().map(ServiceLoader.Provider::type))
                .contains(FailFastPolicy.class);
        assertThat(p.name()).isEqualTo("fail-fast");
        assertThat(p.options()).containsExactly(Map.entry("grace", "100ms"));

        assertThat(p.withOptions(Map.of("grace", "250ms")).options()).containsEntry("grace", "250ms");
        assertThat(p.withOptions(Map.of("grace", "PT2S")).options()).containsEntry("grace", "2s");
        assertThat(p.options()).as("immutable").containsEntry("grace", "100ms");

        assertThatThrownBy(() -> p.withOptions(Map.of("grace", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fail-fast.grace").hasMessageContaining("\"soon\"");
        assertThatThrownBy(() -> p.withOptions(Map.of("grace", "-1s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1s");
        assertThatThrownBy(() -> p.withOptions(Map.of("timeout", "1s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fail-fast").hasMessageContaining("\"timeout\"");
    }

    @Test
    void P3a_abortsAfterGrace_andLeavesTheInterpreterRunning() {
        failFast("200ms");
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown();

        FinalizationAbortedException e = s.awaitAborted();
        assertThat(s.took()).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(BOUND);
        assertThat(e.report().abortReason()).hasValueSatisfying(r -> assertThat(r).contains("grace 200ms"));
        assertThat(e.report().openGuards()).singleElement()
                .satisfies(g -> assertThat(g.holderThread()).isEqualTo(holder.thread().getName()));
        assertThat(holder.interruptedAfter()).as("fail-fast never interrupts holders").isEmpty();
        assertThat(h.main().state()).isEqualTo(InterpreterState.RUNNING);
    }

    @Test
    void P3a_completesWhenTheGuardClosesWithinGrace() {
        failFast("30s");
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();
        holder.release();
        assertThat(s.awaitCompleted().finalPolicy()).isEqualTo("fail-fast");
    }

    @Test
    void P3b_interruptAbortsAtOnce() {
        failFast("30s");
        h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();

        assertThat(h.runtime().interrupt()).isTrue();
        FinalizationAbortedException e = s.awaitAborted();
        assertThat(s.took()).as("far less than the grace").isLessThan(BOUND);
        assertThat(e.report().abortReason()).hasValueSatisfying(r -> assertThat(r).startsWith("interrupted"));
        assertThat(e.report().interruptsDelivered()).isEqualTo(1);
    }

    @Test
    void P3c_lateAttachFailsAtOnce() {
        failFast("100ms");
        h.startShutdown().awaitCompleted();
        LateAttacher late = h.startLateAttach();
        assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class)
                .hasMessageContaining("late attach, policy fail-fast");
        assertThat(late.took()).isLessThan(BOUND);
    }

    @Test
    void P3d_leakedGuardIsReported_andStillCounted() {
        failFast("100ms");
        assertThat(h.leakGuardAndAwaitReport(h.main())).contains("still counted under policy fail-fast");
        FinalizationAbortedException e = h.startShutdown().awaitAborted();
        assertThat(e.report().openGuards()).hasSize(1);
    }

    @Test
    void P6_graceFromASystemProperty_theBuilderWins() {
        String key = "vigil.policy.fail-fast.grace";
        System.setProperty(key, "150ms");
        try {
            h = ShutdownHarness.of(Vigil.builder().policy("fail-fast"));
            h.holdGuard(h.main(), HolderMode.STUBBORN);
            assertThat(h.startShutdown().awaitAborted().report().events())
                    .anySatisfy(ev -> assertThat(ev).contains("policy fail-fast: wait until 150 ms"));
            h.close();

            h = ShutdownHarness.of(Vigil.builder().policy("fail-fast").option("fail-fast.grace", "170ms"));
            h.holdGuard(h.main(), HolderMode.STUBBORN);
            assertThat(h.startShutdown().awaitAborted().report().events())
                    .anySatisfy(ev -> assertThat(ev).contains("policy fail-fast: wait until 170 ms"));
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    void P6_badBuilderValueIsRefused() {
        assertThatThrownBy(() -> Vigil.builder().policy("fail-fast").option("fail-fast.grace", "soon").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fail-fast.grace").hasMessageContaining("soon");
    }

    @Test
    void P6_componentRefusesBadConfiguration_andKeepsServingThePrevious() throws Exception {
        ComponentContract.check(FailFastComponent.class, FailFastComponent.Config.class, "fail-fast",
                Map.of("grace", "100ms"), Map.of("grace", "PT0.3S"), Map.of("grace", "300ms"),
                Map.of("grace", "soon"));
    }
}
