package dev.vigil.contract;

import static dev.vigil.contract.Support.assertStillWaiting;
import static dev.vigil.contract.Support.eventually;
import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.FinalizationReport.Outcome;
import dev.vigil.api.FinalizationReport.Phase;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rules F1–F8, and the parts of P4, P5 and S2 that the core carries out. */
class FinalizationRulesTest {

    private final Support.Rt rt = new Support.Rt();
    private final InterpreterRegistry registry = rt.runtime.registry();
    private final InterpreterGuards guards = rt.runtime.guards();

    @AfterEach
    void tearDown() {
        rt.close();
    }

    private InterpreterGuard guard(Interpreter i) {
        return guards.fromView(guards.viewOf(i)).orElseThrow();
    }

    @Test
    void F1_stepsRunInOrder_listenersBeforeJoin_joinBeforeHooks_hooksLastFirstOnce_thenGuards() throws Exception {
        Interpreter sub = registry.create("sub");
        List<String> log = new CopyOnWriteArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        Thread worker = sub.threadFactory(false).newThread(() -> {
            try {
                stop.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("thread ended");
        });
        worker.start();
        InterpreterGuard g = guard(sub);
        // Listeners are the moment to tell threads to stop: the join below depends on it.
        registry.onFinalizationRequested(sub, () -> {
            log.add("requested");
            stop.countDown();
        });
        registry.atExit(sub, () -> log.add("hook 1"));
        registry.atExit(sub, () -> {
            log.add("hook 2");
            throw new IllegalStateException("a failing hook is reported, not propagated");
        });
        registry.atExit(sub, () -> {
            log.add("hook 3");
            g.close(); // the guard wait (step 4) comes after the hooks
        });
        FinalizationReport r = get(rt.shutdownAsync(sub));
        assertThat(log).containsExactly("requested", "thread ended", "hook 3", "hook 2", "hook 1");
        assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(r.events()).anyMatch(e -> e.contains("a failing hook is reported"));
        assertThat(rt.notices).anyMatch(n -> n.contains("a failing hook is reported"));
        worker.join(Support.LONG.toMillis());
    }

    @Test
    void F1_loopsWhenAHookOrGuardAppearsMeanwhile_andRunsNewHooksInTheNextRound() throws Exception {
        Interpreter sub = registry.create("sub");
        List<String> log = new CopyOnWriteArrayList<>();
        registry.atExit(sub, () -> {
            log.add("first");
            registry.atExit(sub, () -> log.add("registered during the hooks"));
        });
        FinalizationReport r = get(rt.shutdownAsync(sub));
        assertThat(log).containsExactly("first", "registered during the hooks");
        assertThat(r.rounds()).isEqualTo(2);
    }

    @Test
    void F1_pastThePointOfNoReturn_theInterpreterLeavesTheRegistryFinalized_andRefusesHooks() {
        Interpreter sub = registry.create("sub");
        assertThat(registry.interpreters()).contains(sub);
        registry.shutdown(sub);
        assertThat(sub.state()).isEqualTo(InterpreterState.FINALIZED);
        assertThat(registry.lookup(sub.id())).isEmpty();
        assertThat(registry.interpreters()).doesNotContain(sub);
        assertThatThrownBy(() -> registry.atExit(sub, () -> { })).isInstanceOf(InterpreterFinalizingException.class);
        assertThatThrownBy(() -> registry.onFinalizationRequested(sub, () -> { }))
                .isInstanceOf(InterpreterFinalizingException.class);
        assertThat(sub.threadFactory(false).newThread(() -> { })).isNull();
    }

    @Test
    void F2_theLastCloseAlwaysWakesTheWaitingFinalizer_manyTimesOver() throws Exception {
        // daemon-hang waits with no deadline: a lost wake-up would hang a round until the bound.
        for (int round = 0; round < 200; round++) {
            Interpreter sub = registry.create("round-" + round);
            InterpreterGuard g = guard(sub);
            Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
            if (round % 2 == 0) {
                rt.awaitShuttingDown(sub); // close after the finalizer started; odd rounds race it
            }
            g.close();
            assertThat(get(shutdown).outcome()).isEqualTo(Outcome.COMPLETED);
        }
    }

    @Test
    void F3_finalizingMainFinalizesEverySubinterpreterFirst() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        Interpreter s1 = registry.create("s1");
        Interpreter s2 = registry.create("s2");
        Interpreter main = registry.main();
        for (Interpreter i : List.of(main, s1, s2)) {
            registry.atExit(i, () -> order.add(i.name()));
        }
        FinalizationReport r = rt.runtime.registry().shutdown();
        assertThat(order).containsExactly("s2", "s1", "main");
        assertThat(r.subinterpreters()).extracting(FinalizationReport::interpreterName).containsExactly("s2", "s1");
        assertThat(List.of(main, s1, s2)).allMatch(i -> i.state() == InterpreterState.FINALIZED);
        assertThatThrownBy(() -> registry.create("late")).isInstanceOf(InterpreterFinalizingException.class);
    }

    @Test
    void F4_concurrentShutdownsShareOneFinalizationAndItsOutcome() throws Exception {
        Interpreter sub = registry.create("sub");
        AtomicInteger hookRuns = new AtomicInteger();
        registry.atExit(sub, hookRuns::incrementAndGet);
        InterpreterGuard g = guard(sub);
        List<Future<FinalizationReport>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(rt.shutdownAsync(sub));
        }
        rt.awaitShuttingDown(sub);
        g.close();
        FinalizationReport first = get(calls.get(0));
        for (Future<FinalizationReport> f : calls) {
            assertThat(get(f)).isSameAs(first);
        }
        assertThat(registry.shutdown(sub)).isSameAs(first); // a later call returns the same report
        assertThat(hookRuns).hasValue(1);
    }

    @Test
    void F4_aShutdownCalledFromItsOwnFinalizationFailsInsteadOfWaitingForItself() throws Exception {
        Interpreter sub = registry.create("sub");
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        registry.onFinalizationRequested(sub, () -> {
            try {
                registry.shutdown(sub);
            } catch (Throwable e) {
                seen.add(e);
            }
        });
        assertThat(get(rt.shutdownAsync(sub)).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(registry.shutdown(sub).outcome()).isEqualTo(Outcome.COMPLETED); // and later calls get the report
    }

    @Test
    void F5_aGuardHeldByTheFinalizingThreadItselfIsNamedInTheReport() throws Exception {
        try (Support.Rt aborting = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.SHORT)))) {
            Interpreter sub = aborting.runtime.registry().create("sub");
            Future<FinalizationReport> shutdown = aborting.async(() -> {
                InterpreterGuard own = aborting.runtime.guards().fromView(aborting.runtime.guards().viewOf(sub)).orElseThrow();
                try {
                    return aborting.runtime.registry().shutdown(sub);
                } finally {
                    own.close();
                }
            });
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> get(shutdown));
            assertThat(thrown).hasCauseInstanceOf(FinalizationAbortedException.class);
            FinalizationAbortedException e = (FinalizationAbortedException) thrown.getCause();
            assertThat(e.report().guardsHeldByFinalizer()).hasSize(1);
            assertThat(e.report().toString()).contains("HELD BY THE FINALIZING THREAD ITSELF");
            assertThat(get(aborting.shutdownAsync(sub)).outcome()).isEqualTo(Outcome.COMPLETED);
        }
    }

    @Test
    void F6_anAbortLeavesTheInterpreterRunningWithGuardsAndAttachmentsWorking_andIsRetryable() throws Exception {
        try (Support.Rt aborting = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.SHORT)))) {
            InterpreterRegistry reg = aborting.runtime.registry();
            InterpreterGuards gs = aborting.runtime.guards();
            Interpreter sub = reg.create("sub");
            InterpreterGuard held = gs.fromView(gs.viewOf(sub)).orElseThrow();
            Future<FinalizationReport> shutdown = aborting.shutdownAsync(sub);
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> get(shutdown));
            assertThat(thrown).hasCauseInstanceOf(FinalizationAbortedException.class);
            FinalizationReport report = ((FinalizationAbortedException) thrown.getCause()).report();
            assertThat(report.outcome()).isEqualTo(Outcome.ABORTED);
            assertThat(report.abortReason()).hasValueSatisfying(r -> assertThat(r).contains("test grace"));
            assertThat(report.openGuards()).hasSize(1);
            assertThat(sub.state()).isEqualTo(InterpreterState.RUNNING);
            assertThat(reg.lookup(sub.id())).contains(sub);
            gs.fromView(gs.viewOf(sub)).orElseThrow().close();
            try (ThreadStateToken t = aborting.runtime.threadStates().ensure(held)) {
                assertThat(aborting.runtime.threadStates().current()).contains(sub);
            }
            held.close();
            assertThat(get(aborting.shutdownAsync(sub)).outcome()).isEqualTo(Outcome.COMPLETED);
        }
    }

    @Test
    void F7_theReportNamesPolicyPhasesGuardsThreadsAndInterrupts() throws Exception {
        Interpreter sub = registry.create("reported");
        InterpreterGuard g = get(rt.async(() -> guard(sub)));
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        eventually().until(rt.runtime::interrupt); // delivered once the shutdown waits
        eventually().until(() -> rt.notices.stream().anyMatch(n -> n.contains("IN_PROGRESS")));
        g.close();
        FinalizationReport r = get(shutdown);
        assertThat(r.initialPolicy()).isEqualTo("daemon-hang");
        assertThat(r.interruptsDelivered()).isGreaterThanOrEqualTo(1);
        assertThat(r.phases()).containsKeys(Phase.NOTIFY, Phase.JOIN_THREADS, Phase.AT_EXIT, Phase.WAIT_GUARDS,
                Phase.FINALIZE);
        assertThat(r.openGuards()).singleElement().satisfies(gi -> {
            assertThat(gi.holderThread()).isEqualTo("contract-worker");
            assertThat(gi.interpreterName()).isEqualTo("reported");
        });
        String text = r.toString();
        assertThat(text).contains("Finalization of reported", "COMPLETED", "policy: daemon-hang",
                "open guards (1)", "contract-worker", "interrupt #1 delivered");
    }

    @Test
    void F8_statesMoveRunningShuttingDownFinalizingFinalized() throws Exception {
        Interpreter sub = registry.create("sub");
        List<InterpreterState> seen = new CopyOnWriteArrayList<>();
        seen.add(sub.state());
        registry.onFinalizationRequested(sub, () -> seen.add(sub.state()));
        InterpreterGuard g = guard(sub);
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        g.close();
        get(shutdown);
        seen.add(sub.state());
        assertThat(seen).containsExactly(InterpreterState.RUNNING, InterpreterState.SHUTTING_DOWN,
                InterpreterState.FINALIZED);
    }

    @Test
    void P4_aShutdownWaitingUnderOnePolicyReDecidesAtOnceWhenAnotherIsUsed_clockFromTheWaitsStart() throws Exception {
        Duration grace = Duration.ofMillis(300);
        try (Support.Rt swap = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(grace)))) {
            swap.runtime.policies().use("daemon-hang");
            Interpreter sub = swap.runtime.registry().create("sub");
            InterpreterGuard g = swap.runtime.guards().fromView(swap.runtime.guards().viewOf(sub)).orElseThrow();
            Future<FinalizationReport> shutdown = swap.shutdownAsync(sub);
            swap.awaitShuttingDown(sub);
            assertStillWaiting(shutdown);
            long t0 = System.nanoTime();
            swap.runtime.policies().use("test-abort");
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> get(shutdown));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(thrown).hasCauseInstanceOf(FinalizationAbortedException.class);
            FinalizationReport r = ((FinalizationAbortedException) thrown.getCause()).report();
            assertThat(r.initialPolicy()).isEqualTo("daemon-hang");
            assertThat(r.finalPolicy()).isEqualTo("test-abort");
            // the wait had lasted >= SHORT before the swap; with the clock running from its start,
            // only (grace - SHORT) at most remained
            assertThat(ms).isLessThan(grace.toMillis() + Support.SHORT.toMillis() * 5);
            g.close();
        }
    }

    @Test
    void P5_aPolicyThatThrowsIsReportedAndTheBuiltInDefaultDecides() throws Exception {
        FinalizationPolicy broken = new FinalizationPolicy() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public WaitDecision onWait(WaitContext context) {
                throw new UnsupportedOperationException("broken on purpose");
            }
        };
        try (Support.Rt b = new Support.Rt(Vigil.builder().policy(broken))) {
            Interpreter sub = b.runtime.registry().create("sub");
            InterpreterGuard g = b.runtime.guards().fromView(b.runtime.guards().viewOf(sub)).orElseThrow();
            Future<FinalizationReport> shutdown = b.shutdownAsync(sub);
            b.awaitShuttingDown(sub);
            assertStillWaiting(shutdown); // daemon-hang's decision: keep waiting
            eventually().until(() -> b.notices.stream().anyMatch(n -> n.contains("broken on purpose")));
            g.close();
            FinalizationReport r = get(shutdown);
            assertThat(r.events()).anyMatch(e -> e.contains("built-in default decides"));
        }
    }

    @Test
    void S2_interruptReachesOnlyAWaitingShutdownAndItsPolicyDecides() throws Exception {
        assertThat(rt.runtime.interrupt()).isFalse(); // nothing waits
        try (Support.Rt aborting = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.LONG)))) {
            Interpreter sub = aborting.runtime.registry().create("sub");
            InterpreterGuard g = aborting.runtime.guards().fromView(aborting.runtime.guards().viewOf(sub)).orElseThrow();
            Future<FinalizationReport> shutdown = aborting.shutdownAsync(sub);
            aborting.awaitShuttingDown(sub);
            eventually().until(aborting.runtime::interrupt);
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> get(shutdown));
            assertThat(((FinalizationAbortedException) thrown.getCause()).report().abortReason()).contains("interrupted");
            g.close();
        }
    }
}
