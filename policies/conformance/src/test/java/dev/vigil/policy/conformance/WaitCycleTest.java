package dev.vigil.policy.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.Detachment;
import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import dev.vigil.api.WaitCycle;
import dev.vigil.api.WaitCycle.WaitKind;
import dev.vigil.policy.testing.ShutdownHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Wait-for cycles (DESIGN.md §5, F5): waits that lead back to themselves are found when the
 * wait that closes them starts, named at once (interpreters, threads, guards), and decided by
 * the policy — fail-fast aborts one shutdown of the cycle, timed-interrupt interrupts the
 * holders at once (the holder, a shutdown of the cycle, aborts), daemon-hang reports it and
 * keeps waiting until something else (an interrupt prints the report, a policy swap) acts.
 * Every policy runs with its patient options (60 s deadlines), so that only the cycle can
 * explain an outcome within the bound.
 */
@SuppressWarnings("try") // guards and tokens held for a block's duration
class WaitCycleTest {

    private static final Duration BOUND = ShutdownHarness.BOUND;
    private static final Duration SHORT = Duration.ofMillis(300L * ShutdownHarness.FACTOR);

    private ShutdownHarness h;
    private final Threads threads = new Threads();
    private VigilRuntime runtime;

    @AfterEach
    void tearDown() throws InterruptedException {
        threads.joinAll();
        if (h != null) {
            h.close();
            runtime.close();
        }
    }

    /**
     * The two-interpreter cycle of issue 13: thread cycle-1 holds a guard on alpha and shuts
     * beta down, thread cycle-2 holds a guard on beta and shuts alpha down. Under every policy
     * the cycle is named in a notice at once; exactly one shutdown ends aborted, with the
     * cycle in its report, and the other then completes.
     */
    @ParameterizedTest
    @EnumSource(PolicyCase.class)
    void twoInterpreterCycle_isNamedAtOnce_andThePolicyEndsOneShutdownOfIt(PolicyCase c) throws Exception {
        h = ShutdownHarness.of(c.patient().option("fail-fast.grace", "60s"));
        runtime = h.runtime();
        Interpreter alpha = runtime.registry().create("alpha");
        Interpreter beta = runtime.registry().create("beta");
        CyclicBarrier bothHold = new CyclicBarrier(2);
        CompletableFuture<FinalizationReport> one = threads.start("cycle-1", () -> holdAndShutDown(alpha, beta, bothHold));
        CompletableFuture<FinalizationReport> two = threads.start("cycle-2", () -> holdAndShutDown(beta, alpha, bothHold));

        String notice = h.awaitNotice("wait-for cycle");
        assertThat(notice).contains("\"cycle-1\"", "\"cycle-2\"", "alpha (#" + alpha.id() + ")",
                "beta (#" + beta.id() + ")", "guard on alpha", "guard on beta", "held by thread");
        if (c == PolicyCase.DAEMON_HANG) {
            // reports it and keeps waiting; an interrupt still works: it prints the report
            assertThat(one).as("daemon-hang keeps waiting").isNotDone();
            await().during(SHORT).atMost(SHORT.plus(BOUND)).until(() -> !one.isDone() && !two.isDone());
            assertThat(runtime.interrupt()).isTrue();
            assertThat(h.awaitNotice("Finalization of ")).contains("wait-for cycle");
            runtime.policies().use("fail-fast"); // a policy that ends a cycle: swapped in, it does (P4)
        }
        List<FinalizationReport> aborted = new ArrayList<>();
        int completed = 0;
        for (CompletableFuture<FinalizationReport> f : List.of(one, two)) {
            try {
                FinalizationReport r = f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
                completed++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(FinalizationAbortedException.class);
                aborted.add(((FinalizationAbortedException) e.getCause()).report());
            }
        }
        assertThat(aborted).as("exactly one shutdown of the cycle aborts").hasSize(1);
        assertThat(completed).isEqualTo(1);
        FinalizationReport r = aborted.get(0);
        assertThat(r.abortReason().orElseThrow()).contains("wait-for cycle");
        WaitCycle cycle = r.cycle().orElseThrow();
        assertThat(cycle.links()).hasSize(2).allSatisfy(l -> {
            assertThat(l.kind()).isEqualTo(WaitKind.SHUTDOWN_WAITS_FOR_GUARDS);
            assertThat(l.guards()).singleElement();
        });
        assertThat(cycle.threads()).contains("\"cycle-1\"", "\"cycle-2\"");
        assertThat(r.toString()).contains("wait-for cycle of 2 threads");
        assertThat(runtime.registry().interpreters()).as("the aborted one is RUNNING again (F6), the other gone")
                .extracting(Interpreter::name).containsExactly("main", r.interpreterName());
    }

    /** Holds a guard on {@code held}, meets the other thread, shuts {@code target} down; closes the guard after. */
    private FinalizationReport holdAndShutDown(Interpreter held, Interpreter target, CyclicBarrier bothHold) {
        try (InterpreterGuard g = runtime.guards().fromView(runtime.guards().viewOf(held)).orElseThrow()) {
            bothHold.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return runtime.registry().shutdown(target);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        }
    }

    /**
     * F5 as the one-thread case: a shutdown waiting on a guard its own thread holds is a
     * cycle of one link; fail-fast (grace 60 s) aborts it at once.
     */
    @Test
    void F5_aGuardHeldByTheFinalizingThread_isACycleOfOne_andFailFastAbortsAtOnce() throws Exception {
        h = ShutdownHarness.of(PolicyCase.FAIL_FAST.patient().option("vigil.diagnostics", "simple"));
        runtime = h.runtime();
        Interpreter sub = runtime.registry().create("self");
        CompletableFuture<FinalizationReport> s = threads.start("self-holder", () -> {
            try (InterpreterGuard own = runtime.guards().fromView(runtime.guards().viewOf(sub)).orElseThrow()) {
                return runtime.registry().shutdown(sub);
            }
        });
        FinalizationReport r = Threads.abortedReport(s);
        WaitCycle cycle = r.cycle().orElseThrow();
        assertThat(cycle.isSelfHeld()).isTrue();
        assertThat(cycle.observerIsVictim()).isTrue();
        assertThat(cycle.links().get(0).thread()).isEqualTo("self-holder");
        assertThat(r.guardsHeldByFinalizer()).singleElement();
        assertThat(r.toString()).contains("HELD BY THE FINALIZING THREAD ITSELF", "wait-for cycle of 1 thread");
        assertThat(h.awaitNotice("wait-for cycle")).contains("held by itself");
    }

    /**
     * A cycle through a late attach: thread holder keeps a guard on "x" and attaches late to
     * "gone" (finalized): under daemon-hang it parks until the runtime ends; main's shutdown
     * finalizes x first (F3) and waits on holder's guard. Named at once; swapping in
     * timed-interrupt (60 s deadlines) ends it at once: the holder is interrupted, its late
     * attach fails, it closes its guard and main's shutdown completes.
     */
    @Test
    void aCycleThroughALateAttach_isNamed_andEndedBySwappingInTimedInterrupt() throws Exception {
        h = ShutdownHarness.of(PolicyCase.DAEMON_HANG.patient().option("timed-interrupt.timeout", "60s")
                .option("timed-interrupt.interruptGrace", "60s").option("timed-interrupt.interruptDelay", "60s")
                );
        runtime = h.runtime();
        Interpreter x = runtime.registry().create("x");
        Interpreter gone = runtime.registry().create("gone");
        CountDownLatch detached = new CountDownLatch(1);
        CountDownLatch goneFinalized = new CountDownLatch(1);
        AtomicReference<Throwable> lateAttachFailure = new AtomicReference<>();
        CompletableFuture<Void> holder = threads.start("late-holder", () -> {
            try (InterpreterGuard onX = runtime.guards().fromView(runtime.guards().viewOf(x)).orElseThrow()) {
                InterpreterGuard onGone = runtime.guards().fromView(runtime.guards().viewOf(gone)).orElseThrow();
                ThreadStateToken token = runtime.threadStates().ensure(onGone);
                onGone.close(); // attached without a guard from here on
                Detachment d = runtime.threadStates().detach();
                detached.countDown();
                goneFinalized.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    d.close(); // a late attach (T6, P2c)
                } catch (InterpreterFinalizingException e) {
                    lateAttachFailure.set(e);
                }
                try {
                    token.close();
                } catch (RuntimeException e) {
                    // the attachment was never restored: nothing to release
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        assertThat(detached.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(runtime.registry().shutdown(gone).outcome()).isEqualTo(Outcome.COMPLETED);
        goneFinalized.countDown();
        CompletableFuture<FinalizationReport> mainShutdown = threads.start("main-finalizer", () -> runtime.registry().shutdown());

        String notice = h.awaitNotice("attached late to gone");
        assertThat(notice).contains("\"late-holder\"", "\"main-finalizer\"", "finalizes x (#" + x.id() + ")",
                "guard on x");
        await().during(SHORT).atMost(SHORT.plus(BOUND)).until(() -> !mainShutdown.isDone());
        runtime.policies().use("timed-interrupt");

        FinalizationReport r = mainShutdown.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(r.subinterpreters()).anySatisfy(sub -> assertThat(sub.cycle()).hasValueSatisfying(cycle ->
                assertThat(cycle.links()).extracting(WaitCycle.Link::kind)
                        .containsExactly(WaitKind.SHUTDOWN_WAITS_FOR_GUARDS, WaitKind.LATE_ATTACH)));
        holder.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(lateAttachFailure.get()).isInstanceOf(InterpreterFinalizingException.class);
    }

    /**
     * The cross-attempt case: a subinterpreter's atexit hook (on its hook thread) calls main's
     * shutdown while main's shutdown, on another thread, waits for that subinterpreter's (F3,
     * F4). Each would wait for the other for ever; the call that closes the cycle is refused
     * at once with IllegalStateException naming it, the hook's failure is reported, and both
     * shutdowns complete.
     */
    @Test
    void aHookCallingMainsShutdownWhileMainWaitsForItsInterpreter_isRefusedAtOnce() throws Exception {
        h = ShutdownHarness.of(Vigil.builder());
        runtime = h.runtime();
        Interpreter sub = runtime.registry().create("hooked");
        CountDownLatch hookRunning = new CountDownLatch(1);
        CountDownLatch mainJoining = new CountDownLatch(1);
        CompletableFuture<Throwable> fromHook = new CompletableFuture<>();
        runtime.registry().atExit(sub, () -> {
            hookRunning.countDown();
            try {
                mainJoining.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                runtime.registry().shutdown();
                fromHook.complete(null);
            } catch (Throwable e) {
                fromHook.complete(e);
            }
        });
        CompletableFuture<FinalizationReport> subShutdown = threads.start("sub-finalizer", () -> runtime.registry().shutdown(sub));
        assertThat(hookRunning.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        CompletableFuture<FinalizationReport> mainShutdown = threads.start("main-finalizer", () -> runtime.registry().shutdown());
        Thread mainThread = threads.last();
        await().atMost(BOUND).until(() -> runtime.registry().main().state() == InterpreterState.SHUTTING_DOWN
                && mainThread.getState() == Thread.State.WAITING);
        mainJoining.countDown();

        Throwable refused = fromHook.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(refused).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wait-for cycle").hasMessageContaining("\"main-finalizer\"")
                .hasMessageContaining("\"sub-finalizer\"");
        assertThat(subShutdown.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(mainShutdown.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    // ---- helpers



}
