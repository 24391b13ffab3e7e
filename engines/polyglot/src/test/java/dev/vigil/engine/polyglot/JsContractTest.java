package dev.vigil.engine.polyglot;

import static dev.vigil.engine.polyglot.EngineRuntime.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.vigil.api.Detachment;
import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.graalvm.polyglot.PolyglotException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DESIGN.md §6 mapping for JavaScript, a single-threaded language: each test proves one
 * line of the table, on a real runtime ({@code Vigil.builder()}) and real GraalJS contexts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@SuppressWarnings("try")
class JsContractTest {

    /** §6 ensure/attach ↔ enter, from many threads through guards and views (G, V, T3). */
    @Test
    void evaluatesFromManyThreadsThroughGuardsAndViews() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("counter", "js");
            r.engines.eval(js, "init", "var n = 0;");
            int threads = 8;
            int rounds = 50;
            r.evalFromManyThreads(js, "n++", threads, rounds);
            assertThat(r.engines.eval(js, "read", "n")).isEqualTo((long) threads * rounds);
        }
    }

    /** §6 attaching takes the lock: 16 threads never get "Multi threaded access" (T1, §6). */
    @Test
    void sixteenThreadsSerializeWithoutMultiThreadedAccess() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("stress", "js");
            r.engines.eval(js, "init", "var n = 0; function work() { let s = 0; for (let i = 0; i < 100; i++) s += i; n++; return s; }");
            int threads = 16;
            int rounds = 200;
            // a "Multi threaded access" error would fail a thread, and so inParallel
            EngineRuntime.inParallel(threads, i -> () -> {
                try (InterpreterView v = r.runtime.guards().viewOf(js)) {
                    for (int k = 0; k < rounds; k++) {
                        try (ThreadStateToken t = r.runtime.threadStates().ensureFromView(v).orElseThrow()) {
                            assertThat(r.engines.eval("work()")).isEqualTo(4950L);
                        }
                    }
                }
                return null;
            });
            assertThat(r.engines.eval(js, "read", "n")).isEqualTo((long) threads * rounds);
        }
    }

    /** §6 nested ensure does not re-enter; release leaves; T1a, T4. */
    @Test
    void nestedEnsureDoesNotReEnterAndReleaseLeaves() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("nested", "js");
            try (InterpreterView v = r.runtime.guards().viewOf(js);
                    InterpreterGuard g = r.runtime.guards().fromView(v).orElseThrow()) {
                try (ThreadStateToken outer = r.runtime.threadStates().ensure(g)) {
                    r.engines.eval("var x = 1");
                    try (ThreadStateToken inner = r.runtime.threadStates().ensure(g)) {
                        assertThat(r.engines.eval("++x")).isEqualTo(2L);
                    }
                    assertThat(r.engines.eval("++x")).isEqualTo(3L); // still entered after the inner release
                }
                assertThatThrownBy(() -> r.engines.eval("x")).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("not attached");
            }
        }
    }

    /** §6 switching interpreters: leave A, enter B; the release enters A again (T1). */
    @Test
    void switchingInterpretersNests() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter a = r.engines.create("a", "js");
            Interpreter b = r.engines.create("b", "js");
            r.engines.eval(a, "init", "var who = 'a'");
            r.engines.eval(b, "init", "var who = 'b'");
            try (InterpreterView va = r.runtime.guards().viewOf(a);
                    InterpreterView vb = r.runtime.guards().viewOf(b);
                    ThreadStateToken ta = r.runtime.threadStates().ensureFromView(va).orElseThrow()) {
                assertThat(r.engines.eval("who")).isEqualTo("a");
                try (ThreadStateToken tb = r.runtime.threadStates().ensureFromView(vb).orElseThrow()) {
                    assertThat(r.engines.eval("who")).isEqualTo("b");
                    // a left: another thread can take a's lock now
                    assertThat(CompletableFuture.supplyAsync(() -> r.engines.eval(a, "peek", "who"))
                            .get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("a");
                }
                assertThat(r.engines.eval("who")).isEqualTo("a");
            }
        }
    }

    /** §6 a second thread's attach waits; detach() lets it in; T6. */
    @Test
    void detachAroundBlockingWorkLetsOthersIn() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("gil", "js");
            r.engines.eval(js, "init", "var log = []");
            CountDownLatch detached = new CountDownLatch(1);
            CountDownLatch othersDone = new CountDownLatch(1);
            CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> {
                try (InterpreterView v = r.runtime.guards().viewOf(js);
                        ThreadStateToken t = r.runtime.threadStates().ensureFromView(v).orElseThrow()) {
                    r.engines.eval("log.push('first')");
                    try (Detachment d = r.runtime.threadStates().detach()) {
                        detached.countDown();
                        EngineRuntime.await(othersDone, "the other thread's eval"); // "blocking Java work"
                    }
                    return r.engines.eval("log.push('first again'); log.join()");
                }
            });
            EngineRuntime.await(detached, "the first thread to detach");
            assertThat(r.engines.eval(js, "second", "log.push('second')")).isEqualTo(2L);
            othersDone.countDown();
            assertThat(first.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("first,second,first again");
        }
    }

    /** §6 the attach wait is interruptible, and bounded where asked; the thread is left as it was. */
    @Test
    void attachWaitIsInterruptibleAndBounded() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("busy", "js");
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try (InterpreterView v = r.runtime.guards().viewOf(js);
                        ThreadStateToken t = r.runtime.threadStates().ensureFromView(v).orElseThrow()) {
                    holding.countDown();
                    EngineRuntime.await(release, "the test to release the holder");
                }
            }, "lock-holder");
            holder.start();
            EngineRuntime.await(holding, "the holder to attach");

            assertThatThrownBy(() -> r.engines.eval(js, "bounded", "1", Duration.ofMillis(100)))
                    .isInstanceOf(AttachException.class).hasMessageContaining("timed out after 100 ms")
                    .hasMessageContaining("lock-holder");

            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> attachedAfter = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try (InterpreterView v = r.runtime.guards().viewOf(js)) {
                    r.runtime.threadStates().ensureFromView(v);
                } catch (Throwable e) {
                    failure.set(e);
                    attachedAfter.set(r.runtime.threadStates().current().isPresent());
                }
            }, "waiter");
            waiter.start();
            org.awaitility.Awaitility.await().atMost(BOUND)
                    .until(() -> waiter.getState() == Thread.State.WAITING);
            waiter.interrupt();
            waiter.join(BOUND.toMillis());
            assertThat(failure.get()).isInstanceOf(AttachException.class).hasMessageContaining("interrupted");
            assertThat(attachedAfter.get()).as("left as it was: not attached").isFalse();
            release.countDown();
            holder.join(BOUND.toMillis());
            assertThat(r.engines.eval(js, "after", "1 + 1")).isEqualTo(2L);
        }
    }

    /** §6 + P3a timed-interrupt: a runaway script in a guard is stopped by the holder interrupt;
     * the shutdown completes within timeout + interruptGrace. */
    @Test
    void timedInterruptStopsRunawayScript() throws Exception {
        try (EngineRuntime r = new EngineRuntime("timed-interrupt",
                "timed-interrupt.timeout", "300ms", "timed-interrupt.interruptGrace", "2s")) {
            Interpreter js = r.engines.create("runaway", "js");
            EngineRuntime.Holder h = r.hold(js, "runaway.js", "while (true) {}");
            long t0 = System.nanoTime();
            FinalizationReport report = r.runtime.registry().shutdown(js);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(took).isLessThan(Duration.ofMillis(300 + 2000));
            Throwable f = h.awaitFailure();
            assertThat(f).isInstanceOf(PolyglotException.class);
            assertThat(((PolyglotException) f).isInterrupted()).isTrue();
            assertThat(js.state()).isEqualTo(InterpreterState.FINALIZED);
        }
    }

    /** §6 + P3a fail-fast: the shutdown aborts (F6) and the interpreter still evaluates. */
    @Test
    void failFastAbortsAndInterpreterStillEvaluates() throws Exception {
        try (EngineRuntime r = new EngineRuntime("fail-fast")) {
            Interpreter js = r.engines.create("ff", "js");
            r.engines.eval(js, "init", "var kept = 42");
            EngineRuntime.Holder h = r.hold(js, "loop.js", "while (true) {}");
            assertThatThrownBy(() -> r.runtime.registry().shutdown(js)).isInstanceOf(FinalizationAbortedException.class);
            assertThat(js.state()).isEqualTo(InterpreterState.RUNNING);
            h.thread.interrupt(); // the user stops the script; the context stays usable (§6)
            assertThat(((PolyglotException) h.awaitFailure()).isInterrupted()).isTrue();
            assertThat(r.engines.eval(js, "after", "kept + 1")).isEqualTo(43L);
        }
    }

    /** §6 + P3a/b daemon-hang: the shutdown waits until the script's guard closes; an interrupt
     * prints the report naming the script (language, source, line: "which scripts run where"),
     * as do the progress lines and running(); when shutdown returns the context is closed and a
     * kept guest value fails with Vigil's error. */
    @Test
    void daemonHangWaitsForTheScriptsGuard() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang", "vigil.progress", "200ms")) {
            Interpreter js = r.engines.create("dh", "js");
            GuestValue kept;
            try (InterpreterView v = r.runtime.guards().viewOf(js);
                    ThreadStateToken t = r.runtime.threadStates().ensureFromView(v).orElseThrow()) {
                kept = r.engines.evalValue("({a: 1})");
                assertThat(kept.copy()).isEqualTo(java.util.Map.of("a", 1L));
            }
            assertThatThrownBy(kept::copy).isInstanceOf(IllegalStateException.class).hasMessageContaining("attached");
            EngineRuntime.Holder h = r.hold(js, "spin.js", "while (true) {}");
            CompletableFuture<FinalizationReport> shutdown = CompletableFuture.supplyAsync(() -> r.runtime.registry().shutdown(js));
            org.awaitility.Awaitility.await().atMost(BOUND).until(() -> r.runtime.interrupt());
            // the report printed on the interrupt: the holder's line names what it runs
            org.awaitility.Awaitility.await().atMost(BOUND).until(() -> r.notices.stream().anyMatch(n ->
                    n.contains("held by thread \"holder-spin.js\"") && n.contains(", running js spin.js:1")));
            // the progress line too
            org.awaitility.Awaitility.await().atMost(BOUND).until(() -> r.notices.stream().anyMatch(n ->
                    n.contains("still waiting") && n.contains("\"holder-spin.js\"") && n.contains("running js spin.js:1")));
            assertThat(r.engines.running()).singleElement().asString()
                    .contains("holder-spin.js").contains("runs js spin.js:1 in dh");
            assertThat(shutdown).isNotDone();
            assertThat(js.state()).isEqualTo(InterpreterState.SHUTTING_DOWN);
            h.thread.interrupt();
            h.awaitFailure();
            assertThat(shutdown.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).outcome())
                    .isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThatThrownBy(() -> r.engines.eval(js, "late", "1")).isInstanceOf(InterpreterFinalizingException.class);
            // closed when shutdown returned, not some time after (DESIGN.md §6)
            assertThatThrownBy(kept::copy).isInstanceOf(InterpreterFinalizingException.class)
                    .hasMessageContaining("past its point of no return");
        }
    }

    /** §6 "the report names the language and source location a holder runs in" (F7, G6): a
     * runaway script in a named source, held in a guard; fail-fast aborts (F6) and the report —
     * the object and its text — names js, the source and the line on the holder's guard. */
    @Test
    void reportNamesTheScriptAHolderRuns() throws Exception {
        try (EngineRuntime r = new EngineRuntime("fail-fast")) {
            Interpreter js = r.engines.create("named", "js");
            EngineRuntime.Holder h = r.hold(js, "runaway.js", "var n = 0;\nwhile (true) {\n  n++;\n}\n");
            FinalizationAbortedException aborted = catchThrowableOfType(FinalizationAbortedException.class,
                    () -> r.runtime.registry().shutdown(js));
            FinalizationReport report = aborted.report();
            assertThat(report.openGuards()).singleElement().satisfies(g -> {
                assertThat(g.holderThread()).isEqualTo("holder-runaway.js");
                assertThat(g.running()).hasValueSatisfying(what -> assertThat(what).matches("js runaway\\.js:[23]"));
            });
            assertThat(report.toString()).containsPattern("held by thread \"holder-runaway\\.js\" .*, running js runaway\\.js:[23]");
            h.thread.interrupt();
            assertThat(((PolyglotException) h.awaitFailure()).isInterrupted()).isTrue();
        }
    }

    /** §6 + F1: the context is closed by the finalization itself, right after the point of no
     * return (no watcher polls): closed when shutdown returns; nothing enters it after (G5, T3:
     * no guard, no thread state; the engine's eval gets Vigil's error); no engine thread is left. */
    @Test
    void contextIsClosedWhenShutdownReturns() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("closing", "js");
            r.engines.eval(js, "init", "var x = 1");
            org.graalvm.polyglot.Context context = r.engines.context(js);
            try (InterpreterView v = r.runtime.guards().viewOf(js)) {
                assertThat(r.runtime.registry().shutdown(js).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
                assertThatThrownBy(() -> context.eval("js", "x")).isInstanceOf(IllegalStateException.class);
                assertThat(r.runtime.guards().fromView(v)).isEmpty();
                assertThat(r.runtime.threadStates().ensureFromView(v)).isEmpty();
            }
            assertThatThrownBy(() -> r.engines.eval(js, "late", "x")).isInstanceOf(InterpreterFinalizingException.class);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("vigil-polyglot"));
        }
    }

    /** §6 "forced end ... close(true)" + F1/H1: a daemon interpreter thread running a script at
     * the point of no return holds no guard, so the shutdown completes; its revoked attachment is
     * cancelled (close(true)): the script stops with isCancelled(), and nothing runs after. */
    @Test
    void aDaemonThreadsScriptIsCancelledAtThePointOfNoReturn() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("cancelled", "js");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread daemon = js.threadFactory(true).newThread(() -> {
                try {
                    r.engines.eval("spin.js", "while (true) {}");
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            daemon.start();
            org.awaitility.Awaitility.await().atMost(BOUND).until(() -> !r.engines.running().isEmpty());
            assertThat(r.runtime.registry().shutdown(js).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            daemon.join(BOUND.toMillis());
            assertThat(daemon.isAlive()).as("the daemon thread ended").isFalse();
            assertThat(failure.get()).isInstanceOfSatisfying(PolyglotException.class,
                    e -> assertThat(e.isCancelled()).as("cancelled: " + e).isTrue());
            assertThat(r.engines.running()).as("scripts running").isEmpty();
        }
    }

    /** §6 + F1/P2c: nothing enters past the point of no return: a detached interpreter thread's
     * re-attach is a late attach (fail-fast: InterpreterFinalizingException), never an enter. */
    @Test
    void lateAttachNeverEntersTheContext() throws Exception {
        try (EngineRuntime r = new EngineRuntime("fail-fast")) {
            Interpreter js = r.engines.create("late", "js");
            r.engines.eval(js, "init", "var entered = 0");
            CountDownLatch detached = new CountDownLatch(1);
            CountDownLatch finalized = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread daemon = js.threadFactory(true).newThread(() -> {
                r.engines.eval("entered++"); // born attached (H1): entered
                try (Detachment d = r.runtime.threadStates().detach()) {
                    detached.countDown();
                    EngineRuntime.await(finalized, "the finalization");
                } catch (Throwable e) {
                    failure.set(e);
                    return;
                }
                r.engines.eval("entered++"); // never reached
            });
            daemon.start();
            EngineRuntime.await(detached, "the daemon thread to detach");
            assertThat(r.runtime.registry().shutdown(js).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            finalized.countDown();
            daemon.join(BOUND.toMillis());
            assertThat(failure.get()).isInstanceOf(InterpreterFinalizingException.class);
            assertThat(js.state()).isEqualTo(InterpreterState.FINALIZED);
        }
    }

    /** §6 + F1: a thread attached to (entered in) the interpreter may shut it down itself: its
     * attachment is revoked, the context is closed from that thread (a close on any other thread
     * would wait for it to leave for ever), and releasing its token afterwards neither blocks nor
     * enters again. */
    @Test
    void aThreadEnteredInTheContextCanShutTheInterpreterDown() throws Exception {
        try (EngineRuntime r = new EngineRuntime("fail-fast")) {
            Interpreter js = r.engines.create("self", "js");
            CompletableFuture<FinalizationReport> report = CompletableFuture.supplyAsync(() -> {
                ThreadStateToken t;
                try (InterpreterView v = r.runtime.guards().viewOf(js);
                        InterpreterGuard g = r.runtime.guards().fromView(v).orElseThrow()) {
                    t = r.runtime.threadStates().ensure(g);
                }
                try (t) {
                    assertThat(r.engines.eval("1 + 1")).isEqualTo(2L);
                    return r.runtime.registry().shutdown(js);
                }
            });
            assertThat(report.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).outcome())
                    .isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(js.state()).isEqualTo(InterpreterState.FINALIZED);
            assertThatThrownBy(() -> r.engines.eval(js, "late", "1")).isInstanceOf(InterpreterFinalizingException.class);
        }
    }

    /** A host object a script calls to shut its own interpreter down. */
    public static final class ShutdownFromScript {
        private final Runnable shutdown;

        ShutdownFromScript(Runnable shutdown) {
            this.shutdown = shutdown;
        }

        @org.graalvm.polyglot.HostAccess.Export
        public void run() {
            shutdown.run();
        }
    }

    /** §6 + F1: a script (on a daemon interpreter thread, holding no guard) that shuts its own
     * interpreter down: the shutdown completes, and the script is cancelled (close(true) from
     * inside) when it returns to guest code — nothing of it runs after the point of no return. */
    @Test
    void aScriptThatShutsItsOwnInterpreterDownIsCancelled() throws Exception {
        try (EngineRuntime r = new EngineRuntime("fail-fast")) {
            Interpreter js = r.engines.create("suicide", "js");
            AtomicReference<FinalizationReport> report = new AtomicReference<>();
            r.engines.context(js).getBindings("js").putMember("host",
                    new ShutdownFromScript(() -> report.set(r.runtime.registry().shutdown(js))));
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Thread daemon = js.threadFactory(true).newThread(() -> {
                try {
                    r.engines.eval("self.js", "var after = 0; host.run(); after = 1;");
                    failure.complete(null);
                } catch (Throwable e) {
                    failure.complete(e);
                }
            });
            daemon.start();
            assertThat(failure.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOfSatisfying(
                    PolyglotException.class, e -> assertThat(e.isCancelled()).as("cancelled: " + e).isTrue());
            assertThat(report.get().outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(js.state()).isEqualTo(InterpreterState.FINALIZED);
        }
    }

    /** §6 + F1: a daemon interpreter thread attached (born attached, H1) and busy in Java code,
     * deaf to interrupts, at the point of no return: Truffle's cancelling close waits for it to
     * leave, so the shutdown waits for that close only a bounded time (CANCEL_WAIT) and completes;
     * nothing starts in the context afterwards (Vigil's error), and the close, and its thread,
     * end once the thread leaves. */
    @Test
    void aDaemonThreadBusyInJavaDoesNotHoldTheShutdown() throws Exception {
        try (EngineRuntime r = new EngineRuntime("daemon-hang")) {
            Interpreter js = r.engines.create("busy", "js");
            CountDownLatch attached = new CountDownLatch(1);
            CountDownLatch wake = new CountDownLatch(1);
            CompletableFuture<Throwable> after = new CompletableFuture<>();
            Thread daemon = js.threadFactory(true).newThread(() -> {
                r.engines.eval("1"); // attached and entered
                attached.countDown();
                while (wake.getCount() > 0) {
                    Thread.onSpinWait(); // Java code that no interrupt stops
                }
                try {
                    r.engines.eval("2");
                    after.complete(null);
                } catch (Throwable e) {
                    after.complete(e);
                }
            });
            daemon.start();
            EngineRuntime.await(attached, "the daemon thread to attach");
            CompletableFuture<FinalizationReport> report =
                    CompletableFuture.supplyAsync(() -> r.runtime.registry().shutdown(js));
            try {
                assertThat(report.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).outcome())
                        .isEqualTo(FinalizationReport.Outcome.COMPLETED);
            } finally {
                wake.countDown();
            }
            assertThat(after.get(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(InterpreterFinalizingException.class);
            daemon.join(BOUND.toMillis());
            assertThat(daemon.isAlive()).isFalse();
            org.awaitility.Awaitility.await("the context's close to end with the thread's leave").atMost(BOUND)
                    .until(() -> Thread.getAllStackTraces().keySet().stream()
                            .noneMatch(t -> t.getName().startsWith("vigil-polyglot")));
        }
    }
}
