package dev.vigil.contract;

import static dev.vigil.contract.Support.assertStillWaiting;
import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.Detachment;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.Vigil;
import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.AttachHooks;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Rules T1–T8: attaching threads to interpreters. */
class ThreadStateRulesTest {

    private final Support.Rt rt = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.SHORT)));
    private final ThreadStates ts = rt.runtime.threadStates();
    private final InterpreterGuards guards = rt.runtime.guards();
    private final Interpreter a = rt.runtime.registry().create("a");
    private final Interpreter b = rt.runtime.registry().create("b");

    @AfterEach
    void tearDown() {
        rt.close();
    }

    private InterpreterGuard guard(Interpreter i) {
        return guards.fromView(guards.viewOf(i)).orElseThrow();
    }

    /** An engine hook that records its calls, "attached" and "detached", into {@code calls}. */
    private static AttachHook recording(List<String> calls) {
        return new AttachHook() {
            @Override
            public void attached(InterpreterLifecycle lifecycle, boolean mayFail) {
                calls.add("attached");
            }

            @Override
            public void detached(InterpreterLifecycle lifecycle) {
                calls.add("detached");
            }
        };
    }

    @Test
    void T1a_nestedEnsureOnTheAttachedInterpreterCountsAndKeepsTheAttachment() {
        try (InterpreterGuard g = guard(a); ThreadStateToken outer = ts.ensure(g)) {
            for (int depth = 0; depth < 100; depth++) {
                try (ThreadStateToken inner = ts.ensure(g)) {
                    assertThat(ts.current()).contains(a);
                }
                assertThat(ts.current()).contains(a);
            }
        }
        assertThat(ts.current()).isEmpty();
    }

    /**
     * T1a, T1c, T4: nested ensures do not count on the thread state; the state made by an ensure
     * lives until that ensure is released, whatever nested, owned-guard (T3) and re-attaching
     * (T1b) frames came and went above it. Were it discarded early, the ensure on {@code b}
     * from the detached thread would reuse it, and the detachment's close would re-attach
     * {@code b}.
     */
    @Test
    void T1a_nestedEnsuresNeverEndTheStateThatTheOuterEnsureMade() {
        try (InterpreterGuard ga = guard(a); InterpreterGuard gb = guard(b); InterpreterView va = guards.viewOf(a)) {
            ThreadStateToken outer = ts.ensure(ga);
            try (ThreadStateToken n1 = ts.ensure(ga); ThreadStateToken n2 = ts.ensure(ga)) {
                assertThat(ts.current()).contains(a);
            }
            try (ThreadStateToken owned = ts.ensureFromView(va).orElseThrow(); ThreadStateToken n = ts.ensure(ga)) {
                assertThat(ts.current()).contains(a);
            }
            try (Detachment d = ts.detach()) {
                try (ThreadStateToken again = ts.ensure(ga); ThreadStateToken n = ts.ensure(ga)) {
                    assertThat(ts.current()).contains(a);
                }
                try (ThreadStateToken tb = ts.ensure(gb)) {
                    assertThat(ts.current()).contains(b);
                }
                assertThat(ts.current()).isEmpty();
            }
            assertThat(ts.current()).as("the detachment re-attached the outer ensure's state").contains(a);
            outer.close();
            assertThat(ts.current()).isEmpty();
        }
    }

    /**
     * DESIGN.md §6, the engine seam: a thread state made again for the same interpreter (T1c
     * reuses the discarded one) keeps the hook it looked up only while no hook was installed or
     * uninstalled; a change between two ensures is seen by the second.
     */
    @Test
    void T1c_engineSeam_aHookInstalledOrUninstalledBetweenEnsures_isSeenByTheNext() {
        AttachHooks hooks = (AttachHooks) ts;
        List<String> calls = new ArrayList<>();
        AttachHook hook = recording(calls);
        try (InterpreterGuard g = guard(a)) {
            for (int warm = 0; warm < 3; warm++) {
                try (ThreadStateToken t = ts.ensure(g)) {
                    assertThat(ts.current()).contains(a);
                }
            }
            hooks.install(a, hook);
            try (ThreadStateToken t = ts.ensure(g)) {
                assertThat(calls).containsExactly("attached");
            }
            assertThat(calls).containsExactly("attached", "detached");
            hooks.uninstall(a);
            try (ThreadStateToken t = ts.ensure(g)) {
                assertThat(ts.current()).contains(a);
            }
            assertThat(calls).as("no hook call after uninstall").containsExactly("attached", "detached");
        }
    }

    /**
     * DESIGN.md §6, the engine seam, for states that are kept rather than made again: a hook
     * installed or uninstalled while the thread is detached is seen when the thread's state is
     * re-attached, by an ensure (T1b) or by the detachment's close (T6).
     */
    @Test
    void T1b_engineSeam_aHookInstalledOrUninstalledWhileDetached_isSeenByTheReattach() {
        AttachHooks hooks = (AttachHooks) ts;
        List<String> calls = new ArrayList<>();
        AttachHook hook = recording(calls);
        try (InterpreterGuard g = guard(a); ThreadStateToken outer = ts.ensure(g)) {
            Detachment d = ts.detach();
            hooks.install(a, hook);
            try (ThreadStateToken again = ts.ensure(g)) {
                assertThat(calls).as("T1b re-attach enters the hook installed meanwhile").containsExactly("attached");
            }
            assertThat(calls).containsExactly("attached", "detached");
            d.close();
            assertThat(calls).as("the detachment's close re-attaches through it too")
                    .containsExactly("attached", "detached", "attached");
            d = ts.detach();
            hooks.uninstall(a);
            d.close();
            assertThat(ts.current()).contains(a);
        }
        assertThat(calls).as("no hook call after uninstall")
                .containsExactly("attached", "detached", "attached", "detached");
    }

    /**
     * T3 with the engine seam (DESIGN.md §6): when the engine refuses the attach (its hook throws,
     * as a single-threaded engine does when the thread is interrupted waiting for its lock),
     * {@code ensureFromView} fails with the engine's error and leaves nothing behind: no
     * attachment, and no guard left open to hold the interpreter's finalization off.
     */
    @Test
    void T3_anAttachTheEngineRefuses_failsEnsureFromViewAndReleasesItsOwnedGuard() {
        ((AttachHooks) ts).install(a, new AttachHook() {
            @Override
            public void attached(InterpreterLifecycle lifecycle, boolean mayFail) {
                if (mayFail) {
                    throw new IllegalStateException("engine refuses the attach");
                }
            }

            @Override
            public void detached(InterpreterLifecycle lifecycle) {
            }
        });
        try (InterpreterView va = guards.viewOf(a)) {
            assertThatThrownBy(() -> ts.ensureFromView(va)).hasMessage("engine refuses the attach");
            assertThat(ts.current()).isEmpty();
            assertThat(guards.openGuards()).as("no owned guard left open").isEmpty();
            try (InterpreterGuard g = guard(b); ThreadStateToken tb = ts.ensure(g)) {
                assertThat(ts.current()).as("the thread's frames are as they were").contains(b);
            }
            assertThat(ts.current()).isEmpty();
        }
    }

    @Test
    void T1b_ensureOnADetachedThreadReattachesItsLastUsedState() {
        try (InterpreterGuard g = guard(a); ThreadStateToken outer = ts.ensure(g)) {
            try (Detachment d = ts.detach()) {
                assertThat(ts.current()).isEmpty();
                try (ThreadStateToken again = ts.ensure(g)) {
                    assertThat(ts.current()).contains(a);
                }
                assertThat(ts.current()).isEmpty(); // back to detached
            }
            assertThat(ts.current()).contains(a);
        }
    }

    @Test
    void T1c_ensureCreatesAStateThatIsDiscardedWhenItsCounterReachesZero() {
        assertThat(ts.current()).isEmpty();
        try (InterpreterGuard g = guard(a)) {
            ThreadStateToken t = ts.ensure(g);
            assertThat(ts.current()).contains(a);
            t.close();
            assertThat(ts.current()).isEmpty();
            assertThatThrownBy(ts::detach).isInstanceOf(IllegalStateException.class); // no state left
        }
    }

    @Test
    void T1_switchingInterpretersNestsAndTheReleaseRestoresThePreviousAttachment() {
        try (InterpreterGuard ga = guard(a); InterpreterGuard gb = guard(b); ThreadStateToken ta = ts.ensure(ga)) {
            try (ThreadStateToken tb = ts.ensure(gb)) {
                assertThat(ts.current()).contains(b);
                try (ThreadStateToken ta2 = ts.ensure(ga)) {
                    assertThat(ts.current()).contains(a);
                }
                assertThat(ts.current()).contains(b);
            }
            assertThat(ts.current()).contains(a);
        }
        assertThat(ts.current()).isEmpty();
    }

    @Test
    void T2_ensureBorrowsTheGuardAndAClosedGuardIsRefusedChangingNothing() {
        InterpreterGuard g = guard(a);
        try (ThreadStateToken t = ts.ensure(g)) {
            assertThat(g.isOpen()).isTrue(); // borrowed, not taken
        }
        assertThat(g.isOpen()).isTrue();
        g.close();
        assertThatThrownBy(() -> ts.ensure(g)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(ts.current()).isEmpty();
    }

    @Test
    void T2_ensureNeverFailsBecauseOfFinalizationWhileTheGuardIsHeld() throws Exception {
        try (Support.Rt hang = new Support.Rt()) { // daemon-hang: the shutdown waits on the guard
            Interpreter sub = hang.runtime.registry().create("sub");
            InterpreterGuard g = hang.runtime.guards().fromView(hang.runtime.guards().viewOf(sub)).orElseThrow();
            Future<FinalizationReport> shutdown = hang.shutdownAsync(sub);
            hang.awaitShuttingDown(sub);
            for (int i = 0; i < 100; i++) {
                try (ThreadStateToken t = hang.runtime.threadStates().ensure(g)) {
                    assertThat(hang.runtime.threadStates().current()).contains(sub);
                }
            }
            g.close();
            get(shutdown);
        }
    }

    @Test
    void T3_ensureFromViewOwnsAGuardThatItsReleaseCloses() throws Exception {
        InterpreterView view = guards.viewOf(a);
        try (Support.Rt hang = new Support.Rt()) {
            Interpreter sub = hang.runtime.registry().create("sub");
            ThreadStateToken t = hang.runtime.threadStates().ensureFromView(hang.runtime.guards().viewOf(sub))
                    .orElseThrow();
            assertThat(hang.runtime.guards().openGuards()).singleElement()
                    .matches(gi -> gi.ownedByThreadState());
            Future<FinalizationReport> shutdown = hang.shutdownAsync(sub);
            hang.awaitShuttingDown(sub);
            assertStillWaiting(shutdown);
            t.close();
            assertThat(hang.runtime.threadStates().current()).isEmpty();
            assertThat(get(shutdown).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        }
        assertThat(view.isOpen()).isTrue();
    }

    @Test
    void T3_ensureFromViewIsEmptyWhenTheInterpreterIsFinalizingOrGone() {
        InterpreterView view = guards.viewOf(a);
        rt.runtime.registry().shutdown(a);
        assertThat(ts.ensureFromView(view)).isEmpty();
        assertThat(ts.current()).isEmpty();
    }

    @Test
    void T4_releaseOnAnotherThreadThrowsAndChangesNothing() throws Exception {
        ThreadStateToken t = ts.ensureFromView(guards.viewOf(a)).orElseThrow();
        Throwable wrong = get(rt.async(() -> {
            try {
                t.close();
                return null;
            } catch (Throwable e) {
                return e;
            }
        }));
        assertThat(wrong).isInstanceOf(IllegalStateException.class).hasMessageContaining("same thread");
        assertThat(ts.current()).contains(a);
        t.close();
        assertThat(ts.current()).isEmpty();
    }

    @Test
    void T4_outOfOrderReleaseThrowsAndChangesNothing() {
        ThreadStateToken outer = ts.ensureFromView(guards.viewOf(a)).orElseThrow();
        ThreadStateToken inner = ts.ensureFromView(guards.viewOf(b)).orElseThrow();
        assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("out of order");
        assertThat(ts.current()).contains(b);
        assertThat(guards.openGuards()).hasSize(2);
        inner.close();
        outer.close();
        assertThat(ts.current()).isEmpty();
        assertThat(guards.openGuards()).isEmpty();
    }

    @Test
    void T4_doubleReleaseThrowsAndChangesNothing_evenWhenANewerEnsureSitsInItsPlace() {
        ThreadStateToken outer = ts.ensureFromView(guards.viewOf(a)).orElseThrow();
        ThreadStateToken first = ts.ensureFromView(guards.viewOf(b)).orElseThrow();
        first.close();
        ThreadStateToken second = ts.ensureFromView(guards.viewOf(b)).orElseThrow(); // same depth as 'first'
        assertThatThrownBy(first::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already released");
        assertThat(ts.current()).contains(b);
        second.close();
        assertThat(ts.current()).contains(a);
        outer.close();
        assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class);
        assertThat(guards.openGuards()).isEmpty();
    }

    @Test
    void T5_aTokenIsOpaque_closingItIsAllItCanDo() {
        assertThat(Arrays.stream(ThreadStateToken.class.getMethods()).map(Method::getName))
                .containsOnly("close");
        try (ThreadStateToken t = ts.ensureFromView(guards.viewOf(a)).orElseThrow()) {
            assertThat(t).isNotInstanceOf(Interpreter.class).isNotInstanceOf(InterpreterGuard.class);
        }
    }

    @Test
    void T6_detachGivesUpTheAttachmentAndCloseReattaches() {
        assertThatThrownBy(ts::detach).isInstanceOf(IllegalStateException.class).hasMessageContaining("attached");
        try (ThreadStateToken t = ts.ensureFromView(guards.viewOf(a)).orElseThrow()) {
            Detachment d = ts.detach();
            assertThat(ts.current()).isEmpty();
            d.close();
            assertThat(ts.current()).contains(a);
            assertThatThrownBy(d::close).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void T6_reattachingPastThePointOfNoReturnIsALateAttach() throws Exception {
        // An H1 daemon thread is attached without a guard; it detaches, the interpreter finalizes.
        CompletableFuture<Detachment> detached = new CompletableFuture<>();
        CompletableFuture<Void> finalized = new CompletableFuture<>();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = a.threadFactory(true).newThread(() -> {
            Detachment d = ts.detach();
            detached.complete(d);
            try {
                finalized.get();
                d.close();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        t.start();
        get(detached);
        rt.runtime.registry().shutdown(a);
        finalized.complete(null);
        // the test policy fails late attaches (P2c)
        assertThat(get(outcome)).isInstanceOf(InterpreterFinalizingException.class).hasMessageContaining("late attach");
        t.join(Support.LONG.toMillis());
    }

    @Test
    void T7_legacyEnsureAttachesToMainWithoutAGuardAndSharesTheState() throws Exception {
        Interpreter main = rt.runtime.registry().main();
        try (ThreadStateToken legacy = ts.legacyEnsure()) {
            assertThat(ts.current()).contains(main);
            assertThat(guards.openGuards()).isEmpty(); // unguarded
            try (InterpreterGuard g = guards.fromCurrent(); ThreadStateToken nested = ts.ensure(g)) {
                assertThat(ts.current()).contains(main);
            }
            assertThat(ts.current()).contains(main);
        }
        assertThat(ts.current()).isEmpty();
    }

    @Test
    void T7_legacyEnsureDuringMainsFinalizationIsALateAttach() throws Exception {
        rt.runtime.registry().shutdown();
        assertThatThrownBy(ts::legacyEnsure).isInstanceOf(InterpreterFinalizingException.class);
        assertThat(ts.current()).isEmpty();
    }

    @Test
    void T8_virtualThreadsEnsureAndReleaseLikePlatformThreads() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21+");
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        ThreadFactory virtual = (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory")
                .invoke(builder);
        InterpreterView va = guards.viewOf(a);
        InterpreterView vb = guards.viewOf(b);
        int n = 200;
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            all[i] = done;
            Callable<Void> body = () -> {
                assertThat((boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread())).isTrue();
                try (ThreadStateToken t = ts.ensureFromView(va).orElseThrow()) {
                    assertThat(ts.current()).contains(a);
                    try (ThreadStateToken u = ts.ensureFromView(vb).orElseThrow()) {
                        assertThat(ts.current()).contains(b);
                        Thread.yield();
                    }
                    assertThat(ts.current()).contains(a);
                }
                assertThat(ts.current()).isEmpty();
                return null;
            };
            virtual.newThread(() -> {
                try {
                    body.call();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }).start();
        }
        get(CompletableFuture.allOf(all));
        assertThat(guards.openGuards()).isEmpty();
        assertThat(get(rt.shutdownAsync(a)).total()).isLessThan(Duration.ofSeconds(5));
        assertThat(a.state()).isEqualTo(InterpreterState.FINALIZED);
    }
}
