package dev.vigil.policy.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.VigilRuntime;
import dev.vigil.policy.testing.ShutdownHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing dropped (issue 13, F1 steps 1 and 3, P2b): an interrupt that arrives while a
 * finalization-requested listener or an atexit hook runs reaches the hook (as Ctrl-C raises
 * KeyboardInterrupt in a CPython atexit function) and is decided by the policy when it
 * returns, the finalizing thread's interrupt status restored; a hook or listener that throws
 * or hangs is reported by name and the others run; a hung hook is bounded by the policy's
 * deadline where it has one, and waited for (visibly) under daemon-hang.
 */
class HookFaultsTest {

    private static final Duration BOUND = ShutdownHarness.BOUND;

    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final Threads threads = new Threads();
    private final CountDownLatch release = new CountDownLatch(1);
    private VigilRuntime runtime;

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        threads.joinAll();
        if (runtime != null) {
            runtime.close();
        }
    }

    /** A task with a name of its own, as reports show it. */
    private record Named(String name, Runnable body) implements Runnable {
        @Override public void run() { body.run(); }
        @Override public String toString() { return name; }
    }

    /**
     * P2b during a hook: runtime.interrupt() while an atexit hook blocks is accepted, interrupts
     * the hook's thread (which then returns), and after it returns fail-fast (grace 60 s)
     * aborts the shutdown for that interrupt — not dropped.
     */
    @Test
    void anInterruptDuringAnAtExitHook_reachesTheHook_andIsDecidedWhenItReturns() throws Exception {
        runtime = PolicyCase.FAIL_FAST.patient().notices(notices::add).build();
        Interpreter sub = runtime.registry().create("hooked");
        CountDownLatch inHook = new CountDownLatch(1);
        AtomicBoolean hookSawInterrupt = new AtomicBoolean();
        runtime.registry().atExit(sub, new Named("flush-journal", () -> {
            inHook.countDown();
            try {
                release.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                hookSawInterrupt.set(true);
            }
        }));
        CompletableFuture<FinalizationReport> s = threads.start("shutdown-hooked", () -> runtime.registry().shutdown(sub));
        assertThat(inHook.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        assertThat(runtime.interrupt()).as("accepted while the hook runs").isTrue();

        FinalizationReport r = Threads.abortedReport(s);
        assertThat(hookSawInterrupt).as("the hook's thread was interrupted").isTrue();
        assertThat(r.interruptsDelivered()).isEqualTo(1);
        assertThat(r.abortReason().orElseThrow()).contains("interrupted");
        assertThat(String.join("\n", r.events())).contains("interrupt #1 during atexit hook flush-journal");
        assertThat(sub.state()).isEqualTo(InterpreterState.RUNNING);
    }

    /**
     * An interrupt of the finalizing thread itself while a finalization-requested listener
     * runs on it: the listener sees it, and when the listener returns the shutdown takes it
     * back and has the policy decide it (fail-fast: abort); the thread's interrupt status is
     * set again when shutdown returns.
     */
    @Test
    void anInterruptOfTheFinalizingThreadDuringAListener_isDecided_andItsStatusRestored() throws Exception {
        runtime = PolicyCase.FAIL_FAST.patient().notices(notices::add).build();
        Interpreter sub = runtime.registry().create("listened");
        CountDownLatch inListener = new CountDownLatch(1);
        AtomicBoolean listenerSawInterrupt = new AtomicBoolean();
        runtime.registry().onFinalizationRequested(sub, new Named("stop-workers", () -> {
            inListener.countDown();
            try {
                release.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                listenerSawInterrupt.set(true);
                Thread.currentThread().interrupt(); // a well-behaved listener keeps the status
            }
        }));
        AtomicBoolean statusAfterwards = new AtomicBoolean();
        CompletableFuture<FinalizationReport> s = threads.start("shutdown-listened", () -> {
            try {
                return runtime.registry().shutdown(sub);
            } finally {
                statusAfterwards.set(Thread.currentThread().isInterrupted());
            }
        });
        assertThat(inListener.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        threads.last().interrupt();

        FinalizationReport r = Threads.abortedReport(s);
        assertThat(listenerSawInterrupt).isTrue();
        assertThat(r.interruptsDelivered()).isEqualTo(1);
        assertThat(statusAfterwards).as("the finalizing thread's interrupt status restored").isTrue();
    }

    /**
     * Hooks that throw or hang are reported by name and do not stop the others: under
     * fail-fast (grace 300 ms) the hung hook is left running on its thread after the grace
     * and the shutdown completes; every other hook ran.
     */
    @Test
    void aThrowingAndAHungHook_areReportedByName_andTheOthersRun_failFast() throws Exception {
        runtime = PolicyCase.FAIL_FAST.builder(java.util.Map.of("grace", "300ms")).notices(notices::add).build();
        FinalizationReport r = shutDownWithFaultyHooks();
        String events = String.join("\n", r.events());
        assertThat(events).contains("atexit hook explode failed: java.lang.IllegalStateException: boom")
                .contains("atexit hook wedge hung: left running on thread");
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("atexit hook wedge hung"));

        release.countDown(); // the hung hook returns: the thread it was left on ends (nothing outlives it)
        await("the hook thread left behind ends").atMost(BOUND).until(() -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.getName().startsWith("vigil-faulty-atexit-")));
    }

    /**
     * timed-interrupt (timeout 200 ms): a hung hook's thread is interrupted after the
     * timeout; a hook that answers interrupts then returns and the shutdown goes on.
     */
    @Test
    void aHungHook_isInterruptedAfterTheTimeout_timedInterrupt() throws Exception {
        runtime = PolicyCase.TIMED_INTERRUPT.quick().notices(notices::add).build();
        Interpreter sub = runtime.registry().create("slow-hook");
        AtomicBoolean interrupted = new AtomicBoolean();
        runtime.registry().atExit(sub, new Named("drain-queue", () -> {
            try {
                release.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }));
        FinalizationReport r = runtime.registry().shutdown(sub);
        assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(interrupted).isTrue();
        assertThat(String.join("\n", r.events())).contains("interrupted the thread")
                .contains("atexit hook drain-queue");
    }

    /**
     * daemon-hang waits for a hung hook, as CPython waits for its atexit functions, and the
     * wait is visible: an interrupt reaches the hook, and the report printed for it when the
     * hook returns shows which hook ran and that the interrupt came during it.
     */
    @Test
    void aHungHook_isWaitedFor_underDaemonHang_andAnInterruptReachesIt() throws Exception {
        runtime = PolicyCase.DAEMON_HANG.patient().notices(notices::add).build();
        Interpreter sub = runtime.registry().create("stuck-hook");
        CountDownLatch inHook = new CountDownLatch(1);
        runtime.registry().atExit(sub, new Named("sync-to-disk", () -> {
            inHook.countDown();
            try {
                release.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // as a KeyboardInterrupt: the hook gives up
            }
        }));
        CompletableFuture<FinalizationReport> s = threads.start("shutdown-stuck", () -> runtime.registry().shutdown(sub));
        assertThat(inHook.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Duration shortWhile = PolicyCase.A_WHILE;
        await().during(shortWhile).atMost(shortWhile.plus(BOUND)).until(() -> !s.isDone());
        assertThat(runtime.interrupt()).isTrue();
        FinalizationReport r = s.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(String.join("\n", r.events())).contains("waiting: atexit hook sync-to-disk on thread")
                .contains("interrupt #1 during atexit hook sync-to-disk");
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("Finalization of stuck-hook")
                .contains("interrupt #1 during atexit hook sync-to-disk"));
    }

    /** Registers, last first: a hook that records, a hung one, a throwing one, a recording one. */
    private FinalizationReport shutDownWithFaultyHooks() {
        Interpreter sub = runtime.registry().create("faulty");
        List<String> ran = new CopyOnWriteArrayList<>();
        runtime.registry().atExit(sub, () -> ran.add("first registered"));
        runtime.registry().atExit(sub, new Named("wedge", () -> {
            while (release.getCount() > 0) {
                try {
                    release.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    // a hook that ignores interrupts
                }
            }
        }));
        runtime.registry().atExit(sub, new Named("explode", () -> {
            throw new IllegalStateException("boom");
        }));
        runtime.registry().atExit(sub, () -> ran.add("last registered"));
        FinalizationReport r = runtime.registry().shutdown(sub);
        assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(ran).containsExactly("last registered", "first registered");
        return r;
    }


}
