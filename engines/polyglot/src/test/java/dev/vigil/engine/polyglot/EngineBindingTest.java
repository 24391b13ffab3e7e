package dev.vigil.engine.polyglot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import dev.vigil.spi.kernel.EngineBinding;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry's side of the engine seam (SPI {@link EngineBinding}, DESIGN.md §6) with a
 * recording engine and no polyglot: when it is called (F1: once, right after the point of no
 * return, on the finalizing thread, never after an abort, F6), what the report makes of what it
 * says (F7, G6), and bad input (§5: a clear error, nothing changed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineBindingTest {

    /** An engine that records the calls it gets and says its holder runs "js loop.js:2". */
    static final class Recording implements EngineBinding {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile Interpreter interpreter;
        volatile long holder = -1;
        volatile RuntimeException failure;

        @Override
        public Map<Long, String> running() {
            calls.add("running");
            return holder < 0 ? Map.of() : Map.of(holder, "js loop.js:2");
        }

        @Override
        public void holdersInterrupted() {
            calls.add("holdersInterrupted");
        }

        @Override
        public void pastPointOfNoReturn() {
            Interpreter i = interpreter;
            calls.add("pastPointOfNoReturn " + i.state() + " on " + Thread.currentThread().getName());
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public String toString() {
            return "recording engine";
        }
    }

    private static InterpreterLifecycle lifecycle(VigilRuntime runtime, Interpreter i) {
        try (InterpreterView v = runtime.guards().viewOf(i)) {
            return ((ViewHandle) v).lifecycle();
        }
    }

    private static Recording bind(VigilRuntime runtime, Interpreter i) {
        Recording e = new Recording();
        e.interpreter = i;
        lifecycle(runtime, i).bindEngine(e);
        return e;
    }

    /** F1 + §6: told once, on the finalizing thread, past the point of no return and before FINALIZED. */
    @Test
    void toldOncePastThePointOfNoReturnOnTheFinalizingThread() {
        try (VigilRuntime runtime = Vigil.builder().policy("daemon-hang").build()) {
            Interpreter i = runtime.registry().create("bound");
            Recording e = bind(runtime, i);
            assertThat(runtime.registry().shutdown(i).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(e.calls).containsExactly("pastPointOfNoReturn FINALIZING on " + Thread.currentThread().getName());
            runtime.registry().shutdown(i); // the same report again (F4): not told twice
            assertThat(e.calls).hasSize(1);
            assertThatThrownBy(() -> lifecycle(runtime, i).bindEngine(new Recording()))
                    .isInstanceOf(InterpreterFinalizingException.class).hasMessageContaining("bind an engine");
        }
    }

    /** F6: not told after an abort; the retry that completes tells it; the report names what the holder runs. */
    @Test
    void notToldAfterAnAbortAndTheReportNamesWhatTheHolderRuns() {
        try (VigilRuntime runtime = Vigil.builder().policy("fail-fast").build()) {
            Interpreter i = runtime.registry().create("aborting");
            Recording e = bind(runtime, i);
            FinalizationReport report;
            try (InterpreterView v = runtime.guards().viewOf(i);
                    InterpreterGuard g = runtime.guards().fromView(v).orElseThrow()) {
                e.holder = Thread.currentThread().getId();
                report = org.assertj.core.api.Assertions.catchThrowableOfType(FinalizationAbortedException.class,
                        () -> runtime.registry().shutdown(i)).report();
            }
            assertThat(i.state()).isEqualTo(InterpreterState.RUNNING);
            assertThat(e.calls).isNotEmpty().allMatch(c -> c.equals("running")); // asked, never told to close
            assertThat(report.openGuards()).singleElement()
                    .satisfies(g -> assertThat(g.running()).contains("js loop.js:2"));
            assertThat(report.toString()).contains(", running js loop.js:2");
            assertThat(runtime.registry().shutdown(i).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(e.calls).filteredOn(c -> c.startsWith("pastPointOfNoReturn")).hasSize(1);
        }
    }

    /** P3a timed-interrupt: told right after the holders were interrupted. */
    @Test
    void toldWhenThePolicyInterruptsTheHolders() throws Exception {
        try (VigilRuntime runtime = Vigil.builder().policy("timed-interrupt")
                .option("timed-interrupt.timeout", "100ms").build()) {
            Interpreter i = runtime.registry().create("interrupted");
            Recording e = bind(runtime, i);
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try (InterpreterView v = runtime.guards().viewOf(i);
                        InterpreterGuard g = runtime.guards().fromView(v).orElseThrow()) {
                    holding.countDown();
                    Thread.sleep(EngineRuntime.BOUND.toMillis()); // until the policy interrupts it
                } catch (InterruptedException expected) {
                    // the holder interrupt: its guard closes
                }
            }, "sleeping-holder");
            holder.start();
            EngineRuntime.await(holding, "the holder's guard");
            assertThat(runtime.registry().shutdown(i).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            holder.join(EngineRuntime.BOUND.toMillis());
            assertThat(e.calls).contains("holdersInterrupted");
            assertThat(e.calls.indexOf("holdersInterrupted"))
                    .isLessThan(e.calls.indexOf("pastPointOfNoReturn FINALIZING on " + Thread.currentThread().getName()));
        }
    }

    /** F7: an engine that fails to close is reported; the finalization completes all the same. */
    @Test
    void anEngineThatThrowsIsReportedNotPropagated() {
        try (VigilRuntime runtime = Vigil.builder().policy("daemon-hang").build()) {
            Interpreter i = runtime.registry().create("failing");
            Recording e = bind(runtime, i);
            e.failure = new IllegalStateException("boom");
            FinalizationReport report = runtime.registry().shutdown(i);
            assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(i.state()).isEqualTo(InterpreterState.FINALIZED);
            assertThat(report.events()).anyMatch(ev -> ev.contains("engine recording engine closing failed")
                    && ev.contains("boom"));
        }
    }

    /** §5 bad input: null, a second engine, unbinding another's; nothing changes. */
    @Test
    void badInputIsRefusedAndChangesNothing() {
        try (VigilRuntime runtime = Vigil.builder().policy("daemon-hang").build()) {
            Interpreter i = runtime.registry().create("bad-input");
            InterpreterLifecycle l = lifecycle(runtime, i);
            assertThatThrownBy(() -> l.bindEngine(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("engine");
            Recording e = bind(runtime, i);
            assertThatThrownBy(() -> l.bindEngine(new Recording())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has an engine bound already").hasMessageContaining("recording engine");
            l.unbindEngine(new Recording()); // not the one bound: a no-op
            runtime.registry().shutdown(i);
            assertThat(e.calls).filteredOn(c -> c.startsWith("pastPointOfNoReturn")).hasSize(1);
        }
    }

    /** unbindEngine: an engine that closed first is not told (its interpreter keeps no reference). */
    @Test
    void anUnboundEngineIsNotTold() {
        try (VigilRuntime runtime = Vigil.builder().policy("daemon-hang").build()) {
            Interpreter i = runtime.registry().create("unbound");
            Recording e = bind(runtime, i);
            lifecycle(runtime, i).unbindEngine(e);
            runtime.registry().shutdown(i);
            assertThat(e.calls).isEmpty();
        }
    }
}
