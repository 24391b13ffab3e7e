package dev.vigil.policy.conformance;

import static dev.vigil.policy.conformance.PolicyCase.A_WHILE;
import static dev.vigil.policy.testing.ShutdownHarness.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterState;
import dev.vigil.policy.testing.ShutdownHarness;
import dev.vigil.policy.testing.ShutdownHarness.Holder;
import dev.vigil.policy.testing.ShutdownHarness.HolderMode;
import dev.vigil.policy.testing.ShutdownHarness.LateAttacher;
import dev.vigil.policy.testing.ShutdownHarness.Shutdown;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The table of DESIGN.md P3, one test per row, each run across the three policies with the
 * column's expectation: where the policies differ. Short options (PolicyCase) keep it fast.
 */
class P3TableTest {

    private ShutdownHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    /** (a) open guards: wait for ever | abort after grace | interrupt holders, grace, abort. */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P3a_aGuardThatNeverCloses(PolicyCase c) {
        h = c.quickHarness();
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown();
        switch (c) {
            case DAEMON_HANG -> {
                s.awaitWaiting().assertStillWaitingFor(A_WHILE);
                assertThat(holder.interruptedAfter()).isEmpty();
                holder.release();
                s.awaitCompleted();
            }
            case FAIL_FAST -> {
                FinalizationAbortedException e = s.awaitAborted();
                assertThat(s.took()).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(BOUND);
                assertThat(holder.interruptedAfter()).isEmpty();
                assertThat(e.report().abortReason()).hasValueSatisfying(r -> assertThat(r).contains("grace"));
            }
            case TIMED_INTERRUPT -> {
                FinalizationAbortedException e = s.awaitAborted();
                assertThat(s.took()).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(BOUND);
                assertThat(holder.interruptedAfter()).hasValueSatisfying(
                        at -> assertThat(at).isGreaterThanOrEqualTo(Duration.ofMillis(200)));
                assertThat(e.report().abortReason()).hasValueSatisfying(
                        r -> assertThat(r).contains("interruptGrace"));
            }
        }
    }

    /** (b) an interrupt while waiting: print the report, wait on | abort at once | ignore with a notice (early). */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P3b_anInterruptWhileWaiting(PolicyCase c) {
        h = c.patientHarness();
        Holder holder = h.holdGuard(h.main(), HolderMode.COOPERATIVE);
        Shutdown s = h.startShutdown().awaitWaiting();
        assertThat(h.runtime().interrupt()).isTrue();
        switch (c) {
            case DAEMON_HANG -> {
                assertThat(h.awaitNotice("Finalization of main")).contains("IN_PROGRESS");
                s.assertStillWaitingFor(A_WHILE);
                holder.release();
                assertThat(s.awaitCompleted().interruptsDelivered()).isEqualTo(1);
            }
            case FAIL_FAST -> {
                assertThat(s.awaitAborted().report().interruptsDelivered()).isEqualTo(1);
                assertThat(s.took()).as("far below the 60 s grace").isLessThan(BOUND);
            }
            case TIMED_INTERRUPT -> {
                h.awaitNotice("interrupt ignored");
                s.assertStillWaitingFor(A_WHILE);
                assertThat(holder.interruptedAfter()).isEmpty();
                holder.release();
                assertThat(s.awaitCompleted().interruptsDelivered()).isEqualTo(1);
            }
        }
        assertThat(h.notices()).noneMatch(n -> n.contains("failed"));
    }

    /** (c) a late attach: park for ever | fail | park until timeout, then fail. */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P3c_aLateAttach(PolicyCase c) {
        h = c.quickHarness();
        h.startShutdown().awaitCompleted();
        assertThat(h.main().state()).isEqualTo(InterpreterState.FINALIZED);
        LateAttacher late = h.startLateAttach();
        switch (c) {
            case DAEMON_HANG -> {
                late.awaitParked().assertStillParkedFor(A_WHILE);
                assertThat(late.parkState()).isEqualTo(Thread.State.WAITING);
                h.policies().use("fail-fast"); // P4: parked late attaches re-decide at once
                assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
            }
            case FAIL_FAST -> {
                assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
                assertThat(late.took()).isLessThan(BOUND);
            }
            case TIMED_INTERRUPT -> {
                assertThat(late.awaitFailure()).isInstanceOf(InterpreterFinalizingException.class);
                assertThat(late.took()).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(BOUND);
            }
        }
    }

    /**
     * (d) a leaked guard: reported, still counted | same | reported and reclaimed. The guard
     * leaks while a shutdown waits on it: reclaiming it lets that shutdown complete.
     */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void P3d_aGuardLeakedWhileAShutdownWaitsOnIt(PolicyCase c) {
        h = ShutdownHarness.of(c.patient().option("vigil.diagnostics", "full"));
        h.leakGuard(h.main());
        Shutdown s = h.startShutdown().awaitWaiting();
        String notice = h.awaitLeakReport();
        assertThat(notice).contains("opened at " + ShutdownHarness.class.getName() + ".leakGuard");
        switch (c) {
            case DAEMON_HANG, FAIL_FAST -> {
                assertThat(notice).contains("still counted under policy " + c.policy);
                assertThat(h.guards().openGuards()).hasSize(1);
                s.assertStillWaitingFor(A_WHILE);
                // End the wait: fail-fast aborts on an interrupt (daemon-hang's case swaps it in first).
                h.policies().use("fail-fast");
                h.runtime().interrupt();
                assertThat(s.awaitAborted().report().openGuards()).hasSize(1);
            }
            case TIMED_INTERRUPT -> {
                assertThat(notice).contains("reclaimed by policy timed-interrupt");
                FinalizationReport report = s.awaitCompleted();
                assertThat(report.openGuards()).as("F7: what it waited on").hasSize(1);
                assertThat(h.guards().openGuards()).isEmpty();
            }
        }
    }
}
