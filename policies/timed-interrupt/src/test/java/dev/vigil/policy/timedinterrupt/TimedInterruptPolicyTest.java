package dev.vigil.policy.timedinterrupt;

import static dev.vigil.policy.testing.ShutdownHarness.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timed-interrupt column of DESIGN.md P3 and its options (P6), in a runtime built by
 * {@code Vigil.builder()}, with short option values.
 */
class TimedInterruptPolicyTest {

    private ShutdownHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private ShutdownHarness timedInterrupt(String timeout, String interruptGrace, String interruptDelay) {
        h = ShutdownHarness.of(Vigil.builder().policy("timed-interrupt")
                .option("timed-interrupt.timeout", timeout)
                .option("timed-interrupt.interruptGrace", interruptGrace)
                .option("timed-interrupt.interruptDelay", interruptDelay));
        assertThat(h.policies().active()).isEqualTo("timed-interrupt");
        return h;
    }

    @Test
    void P6_defaults_configuredCopies_andRefusedValues() {
        TimedInterruptPolicy p = new TimedInterruptPolicy();
        assertThat(ServiceLoader.load(FinalizationPolicy.class).stream().map(ServiceLoader.Provider::type))
                .contains(TimedInterruptPolicy.class);
        assertThat(p.name()).isEqualTo("timed-interrupt");
        assertThat(p.options()).containsExactly(Map.entry("timeout", "5s"), Map.entry("interruptGrace", "1s"),
                Map.entry("interruptDelay", "1s"));

        assertThat(p.withOptions(Map.of("timeout", "200ms")).options())
                .containsExactly(Map.entry("timeout", "200ms"), Map.entry("interruptGrace", "1s"),
                        Map.entry("interruptDelay", "1s"));
        assertThat(p.options()).as("immutable").containsEntry("timeout", "5s");

        assertThatThrownBy(() -> p.withOptions(Map.of("interruptGrace", "later")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timed-interrupt.interruptGrace").hasMessageContaining("\"later\"");
        assertThatThrownBy(() -> p.withOptions(Map.of("grace", "1s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"grace\"");
    }

    @Test
    void P3a_stubbornHolder_isInterruptedAtTimeout_andTheShutdownAbortsAfterInterruptGrace() {
        timedInterrupt("200ms", "300ms", "1s");
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown();

        FinalizationAbortedException e = s.awaitAborted();
        assertThat(holder.interruptedAfter()).hasValueSatisfying(
                at -> assertThat(at).isGreaterThanOrEqualTo(Duration.ofMillis(200)));
        assertThat(s.took()).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(BOUND);
        assertThat(e.report().abortReason()).hasValueSatisfying(r -> assertThat(r).contains("interruptGrace"));
        assertThat(e.report().events()).anySatisfy(ev -> assertThat(ev).contains("interrupted 1 holder thread(s)"));
        assertThat(h.main().state()).isEqualTo(InterpreterState.RUNNING);
    }

    @Test
    void P3a_cooperativeHolder_letsGoWhenInterrupted_andTheShutdownCompletes() {
        timedInterrupt("200ms", "60s", "1s");
        Holder holder = h.holdGuard(h.main(), HolderMode.COOPERATIVE);
        Shutdown s = h.startShutdown();

        FinalizationReport report = s.awaitCompleted();
        holder.awaitClosedOnItsOwn();
        assertThat(holder.interruptedAfter()).isPresent();
        assertThat(s.took()).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(BOUND);
        assertThat(report.finalPolicy()).isEqualTo("timed-interrupt");
    }

    @Test
    void P3a_runningNonDaemonInterpreterThread_isInterruptedAtTimeout() throws Exception {
        timedInterrupt("200ms", "60s", "1s");
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        CountDownLatch running = new CountDownLatch(1);
        Thread worker = h.main().threadFactory(false).newThread(() -> {
            running.countDown();
            try {
                boolean released = never.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                interrupted.complete(false);
                assertThat(released).as("never released: the policy should have interrupted").isFalse();
            } catch (InterruptedException e) {
                interrupted.complete(true);
            }
        });
        worker.start();
        assertThat(running.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        FinalizationReport report = h.startShutdown().awaitCompleted();
        assertThat(interrupted.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("interrupted by the policy").isTrue();
        assertThat(report.phases()).containsKey(FinalizationReport.Phase.JOIN_THREADS);
        worker.join(BOUND.toMillis());
    }

    @Test
    void P3b_interruptDuringInterruptDelay_isIgnoredWithANotice_andTheDeadlineStays() {
        timedInterrupt("60s", "60s", "60s");
        Holder holder = h.holdGuard(h.main(), HolderMode.COOPERATIVE);
        Shutdown s = h.startShutdown().awaitWaiting();

        assertThat(h.runtime().interrupt()).isTrue();
        String notice = h.awaitNotice("interrupt ignored");
        assertThat(notice).doesNotContain(System.lineSeparator()).contains("interruptDelay 60s");
        s.awaitWaiting();
        assertThat(holder.interruptedAfter()).as("holders left alone").isEmpty();

        holder.release();
        FinalizationReport report = s.awaitCompleted();
        assertThat(report.interruptsDelivered()).isEqualTo(1);
        assertThat(report.events()).filteredOn(ev -> ev.contains("policy timed-interrupt: wait until 60000 ms"))
                .as("the deadline decided before and after the interrupt").hasSize(2);
    }

    @Test
    void P3b_interruptAfterInterruptDelay_actsAsIfTimeoutExpired() {
        Duration delay = Duration.ofMillis(300);
        timedInterrupt("60s", "200ms", "300ms");
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();

        h.runtime().interrupt();
        h.awaitNotice("interrupt ignored");
        // s.elapsed() runs from a little before the wait's clock: a margin makes "after interruptDelay" certain.
        Duration past = delay.plusMillis(200);
        await("the wait to outlast interruptDelay").atMost(BOUND).until(() -> s.elapsed().compareTo(past) > 0);
        h.runtime().interrupt();

        FinalizationAbortedException e = s.awaitAborted();
        assertThat(h.awaitNotice("interrupting the holders now")).contains("interruptGrace");
        assertThat(holder.interruptedAfter()).isPresent();
        assertThat(s.took()).as("long before the timeout").isLessThan(BOUND);
        assertThat(e.report().interruptsDelivered()).isEqualTo(2);
        assertThat(e.report().abortReason()).hasValueSatisfying(r -> assertThat(r).contains("interruptGrace"));
    }

    @Test
    void P3c_lateAttachParksUntilTimeout_thenFails() {
        timedInterrupt("300ms", "1s", "1s");
        h.startShutdown().awaitCompleted();

        LateAttacher late = h.startLateAttach();
        Throwable failure = late.awaitFailure();
        assertThat(failure).isInstanceOf(InterpreterFinalizingException.class)
                .hasMessageContaining("late attach, policy timed-interrupt");
        assertThat(late.took()).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(BOUND);
        assertThat(late.interruptStatusAfterwards()).isFalse();
    }

    @Test
    void P3c_lateAttachFailsWhenItsThreadIsInterrupted_keepingTheInterruptStatus() {
        timedInterrupt("60s", "1s", "1s");
        h.startShutdown().awaitCompleted();

        LateAttacher late = h.startLateAttach().awaitParked();
        assertThat(late.parkState()).as("parked with a deadline").isEqualTo(Thread.State.TIMED_WAITING);
        late.thread().interrupt();
        assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
        assertThat(late.took()).isLessThan(BOUND);
        assertThat(late.interruptStatusAfterwards()).isTrue();
    }

    @Test
    void P3c_lateAttachFailsWhenTheRuntimeIsInterrupted() {
        timedInterrupt("60s", "1s", "1s");
        h.startShutdown().awaitCompleted();

        LateAttacher late = h.startLateAttach().awaitParked();
        h.runtime().interrupt();
        assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
        assertThat(late.took()).isLessThan(BOUND);
        assertThat(late.interruptStatusAfterwards()).as("its own thread was not interrupted").isFalse();
    }

    @Test
    void P3d_leakedGuardIsReclaimed_soTheShutdownCompletes() {
        timedInterrupt("60s", "60s", "60s");
        assertThat(h.leakGuardAndAwaitReport(h.main())).contains("reclaimed by policy timed-interrupt");
        assertThat(h.guards().openGuards()).isEmpty();
        assertThat(h.startShutdown().awaitCompleted().openGuards()).isEmpty();
    }

    @Test
    void P6_componentRefusesBadConfiguration_andKeepsServingThePrevious() throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("timeout", "5s");
        defaults.put("interruptGrace", "1s");
        defaults.put("interruptDelay", "1s");
        Map<String, String> shown = new LinkedHashMap<>(defaults);
        shown.put("timeout", "200ms");
        ComponentContract.check(TimedInterruptComponent.class, TimedInterruptComponent.Config.class,
                "timed-interrupt", defaults, Map.of("timeout", "200ms"), shown,
                Map.of("timeout", "1s", "interruptGrace", "whenever"));
    }
}
