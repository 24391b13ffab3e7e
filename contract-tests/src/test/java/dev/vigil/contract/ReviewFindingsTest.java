package dev.vigil.contract;

import static dev.vigil.contract.Support.eventually;
import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LateAttachContext;
import dev.vigil.spi.LateAttachDecision;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the findings of the concurrency review of the core (registry, guards,
 * thread states). Each test names the rule it protects; each failed before its fix.
 */
class ReviewFindingsTest {

    private static void await(CountDownLatch latch) {
        try {
            latch.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean parked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    /**
     * F2, H1: a shutdown called from one of the interpreter's own non-daemon threads waits for
     * the other non-daemon threads to end, i.e. for the count to drop to 1 (its own). The last
     * other thread's exit must wake it: the wake-up used to be given only when the count
     * reached 0, so the finalizer slept until its policy's next deadline (5 s here).
     */
    @Test
    void F2_H1_shutdownFromAnOwnThread_isWokenWhenTheLastOtherThreadEnds() throws Exception {
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.scaled(5_000))))) {
            InterpreterRegistry registry = rt.runtime.registry();
            Interpreter sub = registry.create("own-thread");
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch stop = new CountDownLatch(1);
            Thread other = sub.threadFactory(false).newThread(() -> {
                running.countDown();
                await(stop);
            });
            other.start();
            assertThat(running.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            CompletableFuture<FinalizationReport> result = new CompletableFuture<>();
            Thread self = sub.threadFactory(false).newThread(() -> {
                try {
                    result.complete(registry.shutdown(sub));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            self.start();
            // The finalizer is parked on the guard word, waiting for `other`.
            eventually().until(() -> sub.state() == InterpreterState.SHUTTING_DOWN && parked(self));

            stop.countDown();
            FinalizationReport r = get(result);
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(r.total()).isLessThan(Support.scaled(5_000));
        }
    }

    /**
     * F4, H1: a shutdown called from one of the interpreter's own non-daemon threads while
     * another thread's shutdown of it runs can never end by waiting: that shutdown waits for
     * this very thread to end (F1 step 2). Like a call from the finalization itself, it must
     * fail at once instead of deadlocking (which only a policy's abort could break, and
     * under daemon-hang nothing).
     */
    @Test
    void F4_H1_aShutdownJoinedFromAnOwnThread_failsInsteadOfWaitingForItself() throws Exception {
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.scaled(5_000))))) {
            InterpreterRegistry registry = rt.runtime.registry();
            Interpreter sub = registry.create("joined-from-own-thread");
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Throwable> fromOwnThread = new CompletableFuture<>();
            Thread own = sub.threadFactory(false).newThread(() -> {
                await(go);
                try {
                    registry.shutdown(sub);
                    fromOwnThread.complete(null);
                } catch (Throwable e) {
                    fromOwnThread.complete(e);
                }
            });
            own.start();
            var shutdown = rt.shutdownAsync(sub); // waits for `own` to end (F1 step 2)
            rt.awaitShuttingDown(sub);

            go.countDown();
            assertThat(get(fromOwnThread)).isInstanceOf(IllegalStateException.class);
            FinalizationReport r = get(shutdown);
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(r.total()).isLessThan(Support.scaled(5_000));
        }
    }

    /**
     * F3, F6: a subinterpreter created while main's shutdown waits (main is SHUTTING_DOWN,
     * so creating is allowed) must be finalized before main's point of no return. It used to
     * be finalized after it, so when that subinterpreter's finalization aborted, main was
     * put back to RUNNING while being past its point of no return: no guard could be had.
     */
    @Test
    void F3_F6_aSubinterpreterCreatedWhileMainWaits_isFinalizedBeforeMainsPointOfNoReturn() throws Exception {
        FinalizationPolicy mainWaitsSubsAbort = new FinalizationPolicy() {
            @Override
            public String name() {
                return "test-main-waits";
            }

            @Override
            public WaitDecision onWait(WaitContext c) {
                return c.interpreter().isMain() ? WaitDecision.waitForever() : WaitDecision.abort("sub aborts");
            }
        };
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(mainWaitsSubsAbort))) {
            InterpreterRegistry registry = rt.runtime.registry();
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter main = registry.main();
            InterpreterGuard mainGuard = guards.fromView(guards.viewOfMain()).orElseThrow();
            var shutdown = rt.shutdownAsync(main);
            rt.awaitShuttingDown(main);

            Interpreter late = registry.create("created-while-main-waits");
            InterpreterGuard lateGuard = guards.fromView(guards.viewOf(late)).orElseThrow();
            mainGuard.close();

            assertThatThrownBy(() -> get(shutdown)).hasCauseInstanceOf(FinalizationAbortedException.class);
            // F6: main is RUNNING again, and guards keep working.
            assertThat(main.state()).isEqualTo(InterpreterState.RUNNING);
            assertThat(guards.fromView(guards.viewOfMain())).as("a guard of main after the abort").isPresent()
                    .get().satisfies(InterpreterGuard::close);
            assertThat(late.state()).isEqualTo(InterpreterState.RUNNING);

            // and a retry completes, the subinterpreter first.
            lateGuard.close();
            FinalizationReport r = registry.shutdown();
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(late.state()).isEqualTo(InterpreterState.FINALIZED);
        }
    }

    /**
     * F6, F8: a shutdown that fails with an unexpected exception before its point of no
     * return (here: a subinterpreter's atexit hook shuts main down, and main's finalization,
     * on the same thread, would have to wait for that subinterpreter's: it is refused with
     * IllegalStateException) must leave nothing half-finalized: main is RUNNING again, not
     * stuck in SHUTTING_DOWN with no shutdown running.
     */
    @Test
    void F6_F8_aShutdownFailingBeforeThePointOfNoReturn_leavesTheInterpreterRunning() throws Exception {
        try (Support.Rt rt = new Support.Rt()) {
            InterpreterRegistry registry = rt.runtime.registry();
            Interpreter sub = registry.create("hook-stops-main");
            CompletableFuture<Throwable> fromHook = new CompletableFuture<>();
            registry.atExit(sub, () -> {
                try {
                    registry.shutdown();
                    fromHook.complete(null);
                } catch (Throwable e) {
                    fromHook.complete(e);
                }
            });
            assertThat(registry.shutdown(sub).outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(get(fromHook)).isInstanceOf(IllegalStateException.class);

            assertThat(registry.main().state()).isEqualTo(InterpreterState.RUNNING);
            assertThat(registry.shutdown().outcome()).isEqualTo(Outcome.COMPLETED);
        }
    }

    /**
     * P2a, P5: a policy that keeps answering with a deadline already reached ("ask me again
     * now") must not turn the wait into a busy loop: each answer used to be asked again at
     * once, burning a core and adding an event to the report each time, without bound.
     * Like a late attach, a wait now parks at least a millisecond between two questions.
     */
    @Test
    void P2a_aDeadlineAlreadyReached_doesNotMakeTheWaitSpin() throws Exception {
        AtomicLong asked = new AtomicLong();
        FinalizationPolicy askMeAgainNow = new FinalizationPolicy() {
            @Override
            public String name() {
                return "test-ask-again-now";
            }

            @Override
            public WaitDecision onWait(WaitContext c) {
                asked.incrementAndGet();
                return WaitDecision.waitUntil(Duration.ZERO);
            }
        };
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(askMeAgainNow))) {
            InterpreterRegistry registry = rt.runtime.registry();
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = registry.create("ask-again-now");
            InterpreterGuard g = guards.fromView(guards.viewOf(sub)).orElseThrow();
            var shutdown = rt.shutdownAsync(sub);
            Support.assertStillWaiting(shutdown);
            g.close();
            FinalizationReport r = get(shutdown);

            long bound = r.total().toMillis() + 50; // about one question per millisecond at most
            assertThat(asked.get()).as("questions in %d ms", r.total().toMillis()).isLessThan(bound);
            assertThat(r.events().size()).isLessThan((int) bound);
        }
    }

    /**
     * A thread whose {@code hashCode()} (called when the runtime registers it as a parked late
     * attach, in a concurrent set) stops once, so that a test can act inside that window.
     */
    private static final class PausingThread extends Thread {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        volatile boolean armed;

        PausingThread(Runnable task) {
            super(task, "pausing-late-attach");
            setDaemon(true);
        }

        @Override
        public int hashCode() {
            if (armed && Thread.currentThread() == this) {
                armed = false;
                paused.countDown();
                await(proceed);
            }
            return super.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }
    }

    /**
     * P2c, S2: an interrupt delivered while a late attach is registering itself as parked (it
     * read the interrupt count, and is not yet in the set interrupt() unparks) must not be
     * lost: the late attach re-reads the count after registering, before it parks. It used to
     * read it only after a wake-up, so it parked for ever although interrupted.
     */
    @Test
    void P2c_anInterruptWhileALateAttachRegisters_isNotLost() throws Exception {
        FinalizationPolicy failWhenInterrupted = new FinalizationPolicy() {
            @Override
            public String name() {
                return "test-late-attach";
            }

            @Override
            public LateAttachDecision onLateAttach(LateAttachContext c) {
                return c.interrupted() ? LateAttachDecision.fail() : LateAttachDecision.parkForever();
            }
        };
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(failWhenInterrupted))) {
            assertThat(rt.runtime.registry().shutdown().outcome()).isEqualTo(Outcome.COMPLETED);
            CompletableFuture<Throwable> attach = new CompletableFuture<>();
            PausingThread[] self = new PausingThread[1];
            self[0] = new PausingThread(() -> {
                self[0].armed = true;
                try (var token = rt.runtime.threadStates().legacyEnsure()) { // T7: a late attach now
                    attach.complete(null);
                } catch (Throwable e) {
                    attach.complete(e);
                }
            });
            self[0].start();
            assertThat(self[0].paused.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            rt.runtime.interrupt();
            self[0].proceed.countDown();
            assertThat(get(attach)).isInstanceOf(InterpreterFinalizingException.class);
        }
    }

    /**
     * S2, F1: an interrupt of the thread that runs shutdown is taken as a P2b interrupt,
     * which consumes the thread's interrupt status in order to park; the status must be
     * restored when shutdown returns (java.util.concurrent's rule for methods that do not
     * throw InterruptedException), or the caller never learns it was interrupted.
     */
    @Test
    void S2_interruptingTheFinalizingThread_leavesItsInterruptStatusSetWhenShutdownReturns() throws Exception {
        try (Support.Rt rt = new Support.Rt()) {
            InterpreterRegistry registry = rt.runtime.registry();
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = registry.create("interrupted-finalizer");
            InterpreterGuard g = guards.fromView(guards.viewOf(sub)).orElseThrow();
            CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
            Thread finalizer = new Thread(() -> {
                try {
                    registry.shutdown(sub);
                    interruptedAfter.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    interruptedAfter.completeExceptionally(e);
                }
            }, "interrupted-finalizer");
            finalizer.setDaemon(true);
            finalizer.start();
            eventually().until(() -> sub.state() == InterpreterState.SHUTTING_DOWN && parked(finalizer));

            finalizer.interrupt();
            // daemon-hang (P3b): prints the report and keeps waiting.
            eventually().until(() -> !rt.notices.isEmpty());
            g.close();

            assertThat(get(interruptedAfter)).as("interrupt status after shutdown returned").isTrue();
        }
    }
}
