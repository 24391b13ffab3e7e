package dev.vigil.contract;

import static dev.vigil.contract.Support.LONG;
import static dev.vigil.contract.Support.eventually;
import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What diagnostics level {@code simple} — the default — promises, proven against the per-thread
 * ledger bookkeeping (issue 11): every open guard listed with holder thread and age (G6), and
 * nothing listed once closed; the shutdown report names holders and the self-held guard (F5,
 * F7); interrupting holders reaches them (P2a); a guard that becomes unreachable unclosed is
 * found, reported with its holder, and handled as the policy says (P2d); closing the runtime
 * leaves no thread of it (DESIGN.md section 5). Every runtime here is built without a
 * diagnostics option, so it runs at the default level.
 */
class SimpleDiagnosticsTest {

    private static final int THREADS = 6;
    private static final int GUARDS_PER_THREAD = 7; // more than a ledger's first 4 entries: it grows

    /** G6: many threads, several guards each (nested, reused entries): each listed once, with its holder. */
    @Test
    void G6_everyOpenGuardOfEveryThreadIsListedWithItsHolder_andNoneOnceClosed() throws Exception {
        try (Support.Rt rt = new Support.Rt()) {
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = rt.runtime.registry().create("ledgers");
            InterpreterView view = guards.viewOf(sub);
            CyclicBarrier allOpen = new CyclicBarrier(THREADS + 1);
            CountDownLatch closeNow = new CountDownLatch(1);
            List<Future<List<InterpreterGuard>>> holders = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                holders.add(rt.async(() -> {
                    for (int i = 0; i < 100; i++) { // churn: entries are claimed and freed again
                        guards.fromView(view).orElseThrow().close();
                    }
                    List<InterpreterGuard> mine = new ArrayList<>();
                    for (int i = 0; i < GUARDS_PER_THREAD; i++) {
                        mine.add(guards.fromView(view).orElseThrow());
                    }
                    allOpen.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
                    closeNow.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
                    return mine;
                }));
            }
            allOpen.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
            List<GuardInfo> open = guards.openGuards();
            assertThat(open).hasSize(THREADS * GUARDS_PER_THREAD)
                    .allSatisfy(g -> {
                        assertThat(g.interpreterId()).isEqualTo(sub.id());
                        assertThat(g.holderThread()).isEqualTo("contract-worker");
                        assertThat(g.age().isNegative()).isFalse();
                        assertThat(g.ownedByThreadState()).isFalse();
                    });
            assertThat(open.stream().map(GuardInfo::holderThreadId).distinct()).hasSize(THREADS);
            closeNow.countDown();
            List<InterpreterGuard> all = new ArrayList<>();
            for (Future<List<InterpreterGuard>> f : holders) {
                all.addAll(get(f));
            }
            // G4: closed here, on the test thread, not the holders: each close unlists its guard
            for (int i = 0; i < all.size(); i++) {
                all.get(i).close();
                assertThat(guards.openGuards()).hasSize(all.size() - i - 1);
            }
            all.get(0).close(); // idempotent
            assertThat(guards.openGuards()).isEmpty();
        }
    }

    /** G6: the age of a guard is at least how long it has been open, and not much more (one clock tick). */
    @Test
    void G6_theAgeOfAGuardIsHowLongItHasBeenOpen() throws Exception {
        try (Support.Rt rt = new Support.Rt()) {
            InterpreterGuards guards = rt.runtime.guards();
            long before = System.nanoTime();
            InterpreterGuard g = guards.fromView(guards.viewOfMain()).orElseThrow();
            long after = System.nanoTime();
            Duration held = Support.scaled(300);
            Thread.sleep(held.toMillis()); // the age is what is measured: time must pass
            long now = System.nanoTime();
            Duration age = guards.openGuards().get(0).age();
            long lower = now - after;
            long upper = System.nanoTime() - before + TimeUnit.MILLISECONDS.toNanos(50) // one tick
                    + Support.scaled(500).toNanos();                                   // scheduling on a loaded machine
            assertThat(age.toNanos()).isBetween(lower, upper);
            g.close();
        }
    }

    /** G6, T3: a guard taken by ensureFromView is listed while its token is held, as owned by the thread state. */
    @Test
    void G6_aGuardOwnedByAThreadStateIsListedUntilItsRelease() {
        try (Support.Rt rt = new Support.Rt()) {
            InterpreterGuards guards = rt.runtime.guards();
            try (ThreadStateToken t = rt.runtime.threadStates().ensureFromView(guards.viewOfMain()).orElseThrow()) {
                assertThat(guards.openGuards()).singleElement().satisfies(g -> {
                    assertThat(g.ownedByThreadState()).isTrue();
                    assertThat(g.holderThreadId()).isEqualTo(Thread.currentThread().getId());
                });
            }
            assertThat(guards.openGuards()).isEmpty();
        }
    }

    /** F5, F7: the report of a shutdown that gave up names the other holder and the finalizer's own guard. */
    @Test
    void F5_F7_theReportNamesTheHoldersAndTheSelfHeldGuard() throws Exception {
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.SHORT)))) {
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = rt.runtime.registry().create("held");
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> other = rt.async(() -> { // stays busy, so the shutdown runs on another pool thread
                InterpreterGuard g = guards.fromView(guards.viewOf(sub)).orElseThrow();
                holding.countDown();
                try {
                    return release.await(LONG.toMillis(), TimeUnit.MILLISECONDS);
                } finally {
                    g.close();
                }
            });
            assertThat(holding.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            Future<FinalizationReport> shutdown = rt.async(() -> {
                InterpreterGuard own = guards.fromView(guards.viewOf(sub)).orElseThrow();
                try {
                    return rt.runtime.registry().shutdown(sub);
                } finally {
                    own.close();
                }
            });
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> get(shutdown));
            assertThat(thrown).hasCauseInstanceOf(FinalizationAbortedException.class);
            FinalizationReport r = ((FinalizationAbortedException) thrown.getCause()).report();
            assertThat(r.openGuards()).hasSize(2).allSatisfy(g -> assertThat(g.holderThread()).isEqualTo("contract-worker"));
            assertThat(r.guardsHeldByFinalizer()).hasSize(1);
            assertThat(r.toString()).contains("HELD BY THE FINALIZING THREAD ITSELF", "held by thread \"contract-worker\"");
            assertThat(r.guardsHeldByFinalizer().get(0).holderThreadId())
                    .isNotEqualTo(r.openGuards().stream().filter(g -> !r.guardsHeldByFinalizer().contains(g))
                            .findFirst().orElseThrow().holderThreadId());
            release.countDown();
            get(other);
            assertThat(rt.runtime.registry().shutdown(sub).outcome()).isEqualTo(Outcome.COMPLETED);
        }
    }

    /** P2a: a policy that interrupts the holders reaches the thread that holds the guard, which then closes it. */
    @Test
    void P2a_interruptingHoldersReachesTheHolderThread() throws Exception {
        FinalizationPolicy interrupting = new FinalizationPolicy() {
            @Override
            public String name() {
                return "test-interrupt-holders";
            }

            @Override
            public WaitDecision onWait(WaitContext c) {
                return c.holdersInterruptedAt().isEmpty() ? WaitDecision.interruptHolders() : WaitDecision.waitForever();
            }
        };
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(interrupting))) {
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = rt.runtime.registry().create("interrupted");
            CountDownLatch holding = new CountDownLatch(1);
            Future<Boolean> holder = rt.async(() -> {
                InterpreterGuard g = guards.fromView(guards.viewOf(sub)).orElseThrow();
                try {
                    holding.countDown();
                    new CountDownLatch(1).await(LONG.toMillis(), TimeUnit.MILLISECONDS);
                    return false; // not interrupted
                } catch (InterruptedException expected) {
                    return true;
                } finally {
                    g.close();
                }
            });
            assertThat(holding.await(LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            FinalizationReport r = rt.runtime.registry().shutdown(sub);
            assertThat(get(holder)).as("holder interrupted").isTrue();
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        }
    }

    /**
     * P2d: a guard dropped unclosed is found once unreachable and reported with its holder;
     * a policy that reclaims it releases its count, so a shutdown waiting on it completes.
     */
    @Test
    void P2d_aLeakedGuardIsFoundReportedAndReclaimedAsThePolicySays() throws Exception {
        FinalizationPolicy reclaiming = new FinalizationPolicy() {
            @Override
            public String name() {
                return "test-reclaim";
            }

            @Override
            public LeakDecision onLeak(GuardInfo leaked) {
                return LeakDecision.RECLAIM;
            }
        };
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(reclaiming))) {
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = rt.runtime.registry().create("leaky");
            get(rt.async(() -> guards.fromView(guards.viewOf(sub)).isPresent())); // opened, dropped
            assertThat(guards.openGuards()).singleElement()
                    .satisfies(g -> assertThat(g.holderThread()).isEqualTo("contract-worker"));
            Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
            eventually().pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return rt.notices.stream().anyMatch(n -> n.contains("leaked guard") && n.contains("contract-worker")
                        && n.contains("reclaimed"));
            });
            assertThat(get(shutdown).outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(guards.openGuards()).isEmpty();
        }
    }

    /** P2d under the default policy: reported, still counted and still listed. */
    @Test
    void P2d_underTheDefaultPolicyALeakedGuardIsReportedAndStaysCounted() throws Exception {
        try (Support.Rt rt = new Support.Rt()) {
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = rt.runtime.registry().create("leaky");
            get(rt.async(() -> guards.fromView(guards.viewOf(sub)).isPresent()));
            eventually().pollInterval(Duration.ofMillis(50)).until(() -> {
                System.gc();
                return rt.notices.stream().anyMatch(n -> n.contains("leaked guard") && n.contains("still counted"));
            });
            assertThat(guards.openGuards()).hasSize(1);
            assertThat(rt.runtime.registry().interpreters()).contains(sub);
        }
    }

    /** Section 5: the leak watch is the runtime's own thread, and closing the runtime ends it. */
    @Test
    void closingTheRuntimeEndsItsLeakWatchThread() {
        List<String> before = watchThreads();
        Support.Rt rt = new Support.Rt();
        InterpreterGuards guards = rt.runtime.guards();
        guards.fromView(guards.viewOfMain()).orElseThrow().close();
        List<String> mine = new ArrayList<>(watchThreads());
        mine.removeAll(before);
        assertThat(mine).singleElement().asString().startsWith("vigil-leak-watch-");
        rt.runtime.close();
        rt.close();
        assertThat(watchThreads()).doesNotContainAnyElementsOf(mine);
    }

    private static List<String> watchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.startsWith("vigil-leak-watch")).toList();
    }

    /**
     * G3 while the guard bookkeeping goes away (the guards bundle stopping closes and unbinds
     * its book, issue 11): at {@code simple} a guard is counted in its holder's ledger, not on
     * the guard word, so a guard opened before the book went must stay counted until it
     * closes, and a guard opened after (a word guard then) must be counted too. Each shutdown
     * while one of them is open is aborted by the test policy after its grace; it completes
     * once both are closed.
     */
    @Test
    void G3_guardsOpenWhenTheBookGoesStayCounted_andGuardsOpenedAfterAreCounted() throws Exception {
        try (Support.Rt rt = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.SHORT)))) {
            InterpreterGuards guards = rt.runtime.guards();
            Interpreter sub = rt.runtime.registry().create("book-goes");
            InterpreterGuard before = guards.fromView(guards.viewOf(sub)).orElseThrow();
            assertThat(guards.openGuards()).hasSize(1);

            ((dev.vigil.guards.Guards) guards).closeBook(true); // what the guards bundle's stop does

            FinalizationAbortedException first = org.junit.jupiter.api.Assertions.assertThrows(
                    FinalizationAbortedException.class, () -> rt.runtime.registry().shutdown(sub),
                    "the guard opened before the book went must still hold the interpreter");
            assertThat(first.report().outcome()).isEqualTo(Outcome.ABORTED);
            InterpreterGuard after = guards.fromView(guards.viewOf(sub)).orElseThrow();
            before.close();
            org.junit.jupiter.api.Assertions.assertThrows(FinalizationAbortedException.class,
                    () -> rt.runtime.registry().shutdown(sub),
                    "the guard opened after the book went must hold the interpreter");
            after.close();
            assertThat(rt.runtime.registry().shutdown(sub).outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(guards.fromView(guards.viewOf(sub))).isEmpty(); // G5
        }
    }

    /**
     * G3 across a restart of the guards bundle while a user keeps a view: the new bundle's
     * guards must count a guard through that view in their own book, never in a ledger of the
     * old book (which the runtime stops counting once its guards have closed). Assembled by
     * hand, as the OSGi bundles do, so that a second book binds to the same kernel.
     */
    @Test
    void G3_aViewKeptAcrossAGuardsRestartGuardsInTheNewBook() throws Exception {
        dev.vigil.spi.kernel.Kernel kernel = new dev.vigil.registry.RegistryKernelProvider().create(
                new dev.vigil.spi.kernel.KernelConfig(null, Support.abortingAfter(Support.SHORT), java.util.Map.of(),
                        text -> { }, new java.util.Properties()));
        try {
            dev.vigil.api.ThreadStates threadStates = new dev.vigil.threadstate.ThreadStatesProviderImpl().create(kernel);
            dev.vigil.guards.Guards before = new dev.vigil.guards.GuardsProviderImpl().create(kernel, threadStates);
            Interpreter sub = kernel.registry().create("kept-view");
            InterpreterView view = before.viewOf(sub);
            before.fromView(view).orElseThrow().close(); // the view now hints at this thread's ledger in the first book
            before.closeBook(true);                      // the guards bundle stops...
            dev.vigil.guards.Guards after = new dev.vigil.guards.GuardsProviderImpl().create(kernel, threadStates); // ...and starts

            InterpreterGuard guard = after.fromView(view).orElseThrow();
            org.junit.jupiter.api.Assertions.assertThrows(FinalizationAbortedException.class,
                    () -> kernel.registry().shutdown(sub), "the guard must hold the interpreter (G3)");
            assertThat(after.openGuards()).hasSize(1);
            guard.close();
            assertThat(kernel.registry().shutdown(sub).outcome()).isEqualTo(Outcome.COMPLETED);
        } finally {
            kernel.dispose();
        }
    }
}
