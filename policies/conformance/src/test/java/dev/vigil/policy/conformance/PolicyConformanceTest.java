package dev.vigil.policy.conformance;

import static dev.vigil.policy.conformance.PolicyCase.A_WHILE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.FinalizationReport.Phase;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import dev.vigil.policy.testing.ShutdownHarness;
import dev.vigil.policy.testing.ShutdownHarness.Holder;
import dev.vigil.policy.testing.ShutdownHarness.HolderMode;
import dev.vigil.policy.testing.ShutdownHarness.LateAttacher;
import dev.vigil.policy.testing.ShutdownHarness.Shutdown;
import dev.vigil.policy.testing.TestPolicies;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The rules every finalization policy keeps alike (DESIGN.md F5–F8, P1, P5, P6, S2), one test
 * body run across the three policies. Where the policies differ, see {@link P3TableTest}.
 */
@SuppressWarnings("try") // tokens opened only to be held for the block's duration
class PolicyConformanceTest {

    private ShutdownHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void P1_allThreeAvailable_daemonHangActiveUntilOneIsChosen() {
        h = ShutdownHarness.of(Vigil.builder());
        assertThat(h.policies().available()).contains("daemon-hang", "fail-fast", "timed-interrupt");
        assertThat(h.policies().active()).isEqualTo("daemon-hang");
        h.policies().use("timed-interrupt");
        assertThat(h.policies().active()).isEqualTo("timed-interrupt");
        assertThatThrownBy(() -> h.policies().use("no-such-policy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-policy");
        assertThat(h.policies().active()).as("a refused use() changes nothing").isEqualTo("timed-interrupt");
    }

    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P1_chosenBySystemProperty(PolicyCase c) {
        System.setProperty("vigil.policy", c.policy);
        try {
            h = ShutdownHarness.of(Vigil.builder());
        } finally {
            System.clearProperty("vigil.policy");
        }
        assertThat(h.policies().active()).isEqualTo(c.policy);
    }

    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void F8_guardsViewsAndThreadsStillWork_whileShuttingDown(PolicyCase c) throws Exception {
        h = c.patientHarness();
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();
        assertThat(h.main().state()).isEqualTo(InterpreterState.SHUTTING_DOWN);

        InterpreterView view = h.guards().viewOfMain();
        Optional<InterpreterGuard> guard = h.guards().fromView(view);
        assertThat(guard).as("G2: a guard from a view while SHUTTING_DOWN").isPresent();
        try (ThreadStateToken token = h.threadStates().ensure(guard.get())) {
            assertThat(h.threadStates().current()).contains(h.main());
            try (InterpreterGuard again = h.guards().fromCurrent()) {
                assertThat(again.interpreter()).isEqualTo(h.main());
            }
        }
        guard.get().close();
        try (ThreadStateToken token = h.threadStates().ensureFromView(view).orElseThrow()) {
            assertThat(h.threadStates().current()).contains(h.main());
        }
        try (ThreadStateToken legacy = h.threadStates().legacyEnsure()) {
            assertThat(h.threadStates().current()).contains(h.main());
        }
        for (boolean daemon : new boolean[] {true, false}) {
            CompletableFuture<Boolean> attached = new CompletableFuture<>();
            Thread t = h.main().threadFactory(daemon)
                    .newThread(() -> attached.complete(h.threadStates().current().isPresent()));
            assertThat(t).as("H1: interpreter threads are still made").isNotNull();
            t.start();
            assertThat(attached.get(ShutdownHarness.BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            t.join(ShutdownHarness.BOUND.toMillis());
        }
        assertThat(s.isDone()).isFalse();

        holder.release();
        FinalizationReport report = s.awaitCompleted();
        assertThat(h.main().state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(h.guards().fromView(view)).as("G5: no guard after the point of no return").isEmpty();
        view.close();
        assertThat(report.finalPolicy()).isEqualTo(c.policy);
    }

    @ParameterizedTest
    @EnumSource(value = PolicyCase.class, names = {"FAIL_FAST", "TIMED_INTERRUPT"})
    void F6_abortLeavesTheInterpreterRunning_guardsAndAttachmentsWorking_andShutdownRetryable(PolicyCase c) {
        h = c.quickHarness();
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        FinalizationAbortedException e = h.startShutdown().awaitAborted();

        assertThat(h.main().state()).isEqualTo(InterpreterState.RUNNING);
        assertThat(e.report().outcome()).isEqualTo(Outcome.ABORTED);
        assertThat(e.report().abortReason()).isPresent();
        assertThat(e).hasMessageContaining("aborted by policy " + c.policy);
        try (InterpreterGuard g = h.guards().fromView(h.guards().viewOfMain()).orElseThrow();
                ThreadStateToken token = h.threadStates().ensure(g)) {
            assertThat(h.threadStates().current()).contains(h.main());
        }
        try (ThreadStateToken legacy = h.threadStates().legacyEnsure()) {
            assertThat(h.threadStates().current()).contains(h.main());
        }

        holder.release();
        FinalizationReport retried = h.startShutdown().awaitCompleted();
        assertThat(retried.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(h.main().state()).isEqualTo(InterpreterState.FINALIZED);
    }

    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void F7_aCompletedFinalizationYieldsAReport(PolicyCase c) {
        h = c.quickHarness();
        FinalizationReport report = h.startShutdown().awaitCompleted();
        assertThat(report.initialPolicy()).isEqualTo(c.policy);
        assertThat(report.interpreterName()).isEqualTo("main");
        assertThat(report.phases()).containsKeys(Phase.NOTIFY, Phase.JOIN_THREADS, Phase.AT_EXIT, Phase.WAIT_GUARDS,
                Phase.FINALIZE);
        assertThat(report.rounds()).isEqualTo(1);
        assertThat(report.toString()).contains("Finalization of main").contains("COMPLETED")
                .contains("policy: " + c.policy);
    }

    /**
     * F5 and F7 for a shutdown stuck on a guard its own thread holds: the report, as data and
     * as text, names that guard as held by the finalizing thread. Policies that abort give it
     * in the exception; daemon-hang prints it on an interrupt, and is then swapped for
     * fail-fast, which aborts (the guard can never close by waiting).
     */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void F5_aGuardHeldByTheFinalizingThread_isNamedInTheReport(PolicyCase c) {
        h = ShutdownHarness.of(c.quick().option("vigil.diagnostics", "full"));
        Shutdown s = h.startShutdownHoldingOwnGuard();
        if (!c.aborts) {
            s.awaitWaiting();
            h.runtime().interrupt();
            assertThat(h.awaitNotice("Finalization of main")).contains("HELD BY THE FINALIZING THREAD ITSELF");
            h.policies().use("fail-fast");
        }
        FinalizationReport report = s.awaitAborted().report();

        assertThat(report.guardsHeldByFinalizer()).singleElement()
                .satisfies(g -> assertThat(g.holderThreadId()).isEqualTo(s.thread().getId()));
        assertThat(report.toString()).contains("HELD BY THE FINALIZING THREAD ITSELF")
                .contains("at " + ShutdownHarness.class.getName());
        assertThat(h.main().state()).isEqualTo(InterpreterState.RUNNING);
    }

    /**
     * P5: a policy whose every decision throws is reported, and the built-in default
     * (daemon-hang) decides in its place: the wait goes on, an interrupt prints the report, a
     * leak stays counted, a late attach parks.
     */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P5_aPolicyThatThrows_isReported_andTheDefaultDecides(PolicyCase c) {
        h = ShutdownHarness.of(Vigil.builder().policy(TestPolicies.throwing(c.policy)));
        assertThat(h.policies().active()).isEqualTo(c.policy);
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();

        assertThat(h.awaitNotice("is broken (onWait)")).contains("the built-in default decides instead");
        s.assertStillWaitingFor(A_WHILE);
        h.runtime().interrupt();
        h.awaitNotice("is broken (onInterrupt)");
        h.awaitNotice("Finalization of main");
        assertThat(holder.interruptedAfter()).isEmpty();
        holder.release();
        s.awaitCompleted();

        LateAttacher late = h.startLateAttach().awaitParked();
        h.awaitNotice("failed deciding a late attach");
        assertThat(late.parkState()).isEqualTo(Thread.State.WAITING);
        h.policies().use(c == PolicyCase.FAIL_FAST ? "timed-interrupt" : "fail-fast");
        h.runtime().interrupt(); // timed-interrupt fails a late attach when interrupted
        assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
    }

    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P5_aPolicyThatThrowsOnALeak_leavesTheGuardCounted(PolicyCase c) {
        h = ShutdownHarness.of(Vigil.builder().policy(TestPolicies.throwing(c.policy)));
        assertThat(h.leakGuardAndAwaitReport(h.main())).contains("still counted");
        h.awaitNotice("failed deciding a leak");
        assertThat(h.guards().openGuards()).hasSize(1);
    }

    /** P6 from the builder and from system properties, for the policies with options. */
    @ParameterizedTest
    @EnumSource(value = PolicyCase.class, names = {"FAIL_FAST", "TIMED_INTERRUPT"})
    void P6_optionsFromTheBuilder_andFromSystemProperties(PolicyCase c) {
        h = ShutdownHarness.of(c.builder(c.quickWithDeadline("170ms")));
        assertThat(firstDeadlineOfAStuckShutdown()).isEqualTo("wait until 170 ms");
        h.close();

        Map<String, String> options = c.quickWithDeadline("180ms");
        options.forEach((k, v) -> System.setProperty("vigil.policy." + c.policy + "." + k, v));
        try {
            h = ShutdownHarness.of(Vigil.builder().policy(c.policy));
        } finally {
            options.keySet().forEach(k -> System.clearProperty("vigil.policy." + c.policy + "." + k));
        }
        assertThat(firstDeadlineOfAStuckShutdown()).isEqualTo("wait until 180 ms");
    }

    /** P6: a bad value is refused with a message naming option and value; the previous value stays. */
    @ParameterizedTest
    @EnumSource(value = PolicyCase.class, names = {"FAIL_FAST", "TIMED_INTERRUPT"})
    void P6_badValuesAreRefused_andThePreviousValueStays(PolicyCase c) {
        String option = c.deadlineOption().orElseThrow();
        assertThatThrownBy(() -> c.quick().option(c.policy + "." + option, "soonish").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(c.policy + "." + option).hasMessageContaining("soonish");

        h = ShutdownHarness.assembled(c.policy, Map.of(), new Properties());
        h.kernel().configurePolicy(c.policy, c.quickWithDeadline("160ms"));
        assertThatThrownBy(() -> h.kernel().configurePolicy(c.policy, Map.of(option, "soonish")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(c.policy + "." + option).hasMessageContaining("soonish");
        assertThatThrownBy(() -> h.kernel().configurePolicy(c.policy, Map.of("noSuchOption", "1s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noSuchOption");
        assertThat(h.policies().active()).isEqualTo(c.policy);
        assertThat(firstDeadlineOfAStuckShutdown()).as("the previous value stays").isEqualTo("wait until 160 ms");
    }

    @Test
    void P6_daemonHangHasNoOptions_andRefusesAny() {
        assertThatThrownBy(() -> Vigil.builder().policy("daemon-hang").option("daemon-hang.timeout", "1s").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        h = ShutdownHarness.assembled("daemon-hang", Map.of(), new Properties());
        assertThatThrownBy(() -> h.kernel().configurePolicy("daemon-hang", Map.of("grace", "1s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace");
        assertThat(h.policies().active()).isEqualTo("daemon-hang");
    }

    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void S2_anInterruptWithNoShutdownWaiting_reachesNothing(PolicyCase c) {
        h = c.quickHarness();
        assertThat(h.runtime().interrupt()).isFalse();
        assertThat(h.main().state()).isEqualTo(InterpreterState.RUNNING);
        assertThat(h.startShutdown().awaitCompleted().interruptsDelivered()).isZero();
    }

    /** Holds a guard, lets the active policy abort the shutdown, and returns its first deadline. */
    private String firstDeadlineOfAStuckShutdown() {
        h.holdGuard(h.main(), HolderMode.STUBBORN);
        FinalizationReport report = h.startShutdown().awaitAborted().report();
        String prefix = "policy " + report.initialPolicy() + ": ";
        return report.events().stream().filter(e -> e.contains(prefix)).findFirst()
                .map(e -> e.substring(e.indexOf(prefix) + prefix.length())).orElseThrow();
    }
}
