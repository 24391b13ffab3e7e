package dev.vigil.contract;

import static dev.vigil.contract.Support.assertStillWaiting;
import static dev.vigil.contract.Support.eventually;
import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rules G1–G6: a guard holds finalization off. */
class GuardRulesTest {

    private final Support.Rt rt = new Support.Rt();
    private final InterpreterGuards guards = rt.runtime.guards();

    @AfterEach
    void tearDown() {
        rt.close();
    }

    @Test
    void G1_fromCurrent_needsAnAttachedThread() {
        assertThatThrownBy(guards::fromCurrent).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("attached");
    }

    @Test
    void G1_fromCurrent_guardsTheAttachedInterpreter() {
        Interpreter sub = rt.runtime.registry().create("sub");
        try (ThreadStateToken t = rt.runtime.threadStates().ensureFromView(guards.viewOf(sub)).orElseThrow();
             InterpreterGuard g = guards.fromCurrent()) {
            assertThat(g.interpreter()).isSameAs(sub);
            assertThat(g.isOpen()).isTrue();
        }
    }

    @Test
    void G1_fromCurrent_throwsFinalizingPastThePointOfNoReturn() throws Exception {
        Interpreter sub = rt.runtime.registry().create("sub");
        CountDownLatch attached = new CountDownLatch(1);
        CountDownLatch finalized = new CountDownLatch(1);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread daemon = sub.threadFactory(true).newThread(() -> {
            attached.countDown();
            try {
                finalized.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS);
                guards.fromCurrent();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        daemon.start();
        assertThat(attached.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        rt.runtime.registry().shutdown(sub); // a daemon thread's attachment does not hold it off
        finalized.countDown();
        assertThat(get(outcome)).isInstanceOf(InterpreterFinalizingException.class);
        daemon.join(Support.LONG.toMillis());
    }

    @Test
    void G2_fromView_needsNoAttachmentAndIsEmptyOnceFinalized_viewStaysUsable() {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterView view = guards.viewOf(sub);
        assertThat(rt.runtime.threadStates().current()).isEmpty();
        guards.fromView(view).orElseThrow().close();
        rt.runtime.registry().shutdown(sub);
        assertThat(guards.fromView(view)).isEmpty();
        assertThat(guards.fromView(view)).isEmpty(); // no exception, still usable
        assertThat(view.isOpen()).isTrue();
    }

    @Test
    void G3_anOpenGuardHoldsShutdownBeforeThePointOfNoReturn() throws Exception {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterGuard g = guards.fromView(guards.viewOf(sub)).orElseThrow();
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        assertStillWaiting(shutdown);
        assertThat(sub.state()).isEqualTo(InterpreterState.SHUTTING_DOWN);
        // guards are still obtainable while SHUTTING_DOWN (F8)
        guards.fromView(guards.viewOf(sub)).orElseThrow().close();
        g.close();
        assertThat(get(shutdown).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(sub.state()).isEqualTo(InterpreterState.FINALIZED);
    }

    @Test
    void G4_secondCloseIsANoOpAndNeverReleasesAnotherHoldersProtection() throws Exception {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterView view = guards.viewOf(sub);
        InterpreterGuard mine = guards.fromView(view).orElseThrow();
        InterpreterGuard theirs = guards.fromView(view).orElseThrow();
        mine.close();
        mine.close();
        mine.close();
        assertThat(mine.isOpen()).isFalse();
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        assertStillWaiting(shutdown); // 'theirs' still holds it
        theirs.close();
        get(shutdown);
    }

    @Test
    void G4_concurrentClosesOfOneGuardOnManyThreadsReleaseOnce() throws Exception {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterView view = guards.viewOf(sub);
        InterpreterGuard other = guards.fromView(view).orElseThrow();
        for (int round = 0; round < 50; round++) {
            InterpreterGuard g = guards.fromView(view).orElseThrow();
            int n = 4;
            CyclicBarrier start = new CyclicBarrier(n);
            List<Future<Object>> closers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                closers.add(rt.async(() -> {
                    start.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS);
                    g.close();
                    return null;
                }));
            }
            for (Future<Object> f : closers) {
                get(f);
            }
        }
        assertThat(guards.openGuards()).hasSize(1); // only 'other'
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        assertStillWaiting(shutdown);
        other.close();
        get(shutdown);
    }

    @Test
    void G4_closeNeedsNoAttachmentAndTheLastCloseWakesShutdownAtOnce() throws Exception {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterGuard g = guards.fromView(guards.viewOf(sub)).orElseThrow();
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        assertStillWaiting(shutdown); // parked in its wait, with no deadline under daemon-hang
        long t0 = System.nanoTime();
        rt.async(() -> { g.close(); return null; }); // another, unattached thread
        FinalizationReport r = get(shutdown);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        // daemon-hang waits for ever, with no deadline: only the close's wake-up can end the wait.
        assertThat(ms).isLessThan(Support.LONG.toMillis());
    }

    @Test
    void G5_pastThePointOfNoReturnNoGuardCanEverBeObtained() {
        Interpreter sub = rt.runtime.registry().create("sub");
        InterpreterView view = guards.viewOf(sub);
        rt.runtime.registry().shutdown(sub);
        for (int i = 0; i < 1000; i++) {
            assertThat(guards.fromView(view)).isEmpty();
            assertThat(rt.runtime.threadStates().ensureFromView(view)).isEmpty();
        }
        assertThat(guards.openGuards()).isEmpty();
    }

    @Test
    void G6_openGuardsAreListedWithInterpreterHolderAndAge() throws Exception {
        Interpreter sub = rt.runtime.registry().create("listed");
        InterpreterGuard g = get(rt.async(() -> guards.fromView(guards.viewOf(sub)).orElseThrow()));
        List<GuardInfo> open = guards.openGuards();
        assertThat(open).hasSize(1);
        GuardInfo info = open.get(0);
        assertThat(info.interpreterId()).isEqualTo(sub.id());
        assertThat(info.interpreterName()).isEqualTo("listed");
        assertThat(info.holderThread()).isEqualTo("contract-worker");
        assertThat(info.age().isNegative()).isFalse();
        assertThat(info.creationSite()).isEmpty(); // simple: no stack
        g.close();
        assertThat(guards.openGuards()).isEmpty();
    }

    @Test
    void G6_diagnosticsFull_recordsTheCreationSite() {
        try (Support.Rt full = new Support.Rt(Vigil.builder().option("vigil.diagnostics", "full"))) {
            InterpreterGuards fg = full.runtime.guards();
            InterpreterGuard g = fg.fromView(fg.viewOfMain()).orElseThrow();
            GuardInfo info = fg.openGuards().get(0);
            assertThat(info.creationSite()).isNotEmpty();
            assertThat(info.creationSite().get(0).getMethodName())
                    .isEqualTo("G6_diagnosticsFull_recordsTheCreationSite");
            assertThat(info.toString()).contains("GuardRulesTest");
            g.close();
            full.runtime.close();
        }
    }

    @Test
    void G6_diagnosticsOff_countsButListsNothing() throws Exception {
        try (Support.Rt off = new Support.Rt(Vigil.builder().option("vigil.diagnostics", "off"))) {
            Interpreter sub = off.runtime.registry().create("sub");
            InterpreterGuard g = off.runtime.guards().fromView(off.runtime.guards().viewOf(sub)).orElseThrow();
            assertThat(off.runtime.guards().openGuards()).isEmpty();
            Future<FinalizationReport> shutdown = off.shutdownAsync(sub);
            off.awaitShuttingDown(sub);
            assertStillWaiting(shutdown); // still counted: G3 holds at every level
            g.close();
            get(shutdown);
        }
    }
}
