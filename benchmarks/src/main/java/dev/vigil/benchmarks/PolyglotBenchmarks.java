package dev.vigil.benchmarks;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import dev.vigil.engine.polyglot.PolyglotInterpreters;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Context;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The engine row of DESIGN.md section 4: {@code ensure} + eval of a tiny script + release on a
 * JavaScript interpreter through Vigil ({@link #vigilEnsureEvalRelease}), beside raw
 * {@code Context.enter}/{@code eval}/{@code leave} on the same context
 * ({@link #baselineRawEnterEvalLeave}), in the same run; bar ≤ 1.2×. Both evaluate the same
 * source string and read its result as a number (Vigil's {@code eval} as a host copy). Those
 * two run in separate forks; {@link #paired} runs both in one fork, for the ratio.
 * {@link #newContext} reports the time to make an engine-backed interpreter and run its first
 * eval: its first iteration in a fork is the first context (cold engine), the later ones are
 * later contexts on the shared engine.
 *
 * <p>Warm-up is long (15 × 2 s): running interpreted on a stock JDK, GraalJS's host code takes
 * some 20 s of calls to reach a steady state (measured: 20–40 µs per eval in the first seconds,
 * 1–1.5 µs after), and each benchmark runs in a fork of its own.
 */
@SuppressWarnings("try")
@Warmup(iterations = 15, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolyglotBenchmarks {

    private static final String SCRIPT = "1 + 1";

    /** One runtime at the default diagnostics level, one JS interpreter, a guard held open. */
    @State(Scope.Thread)
    public static class Js {
        VigilRuntime runtime;
        PolyglotInterpreters engines;
        ThreadStates threadStates;
        InterpreterGuard guard;
        Context context;

        @Setup
        public void setUp() {
            runtime = Runtimes.build("simple");
            engines = PolyglotInterpreters.create(runtime);
            Interpreter js = engines.create("bench", "js");
            threadStates = runtime.threadStates();
            guard = runtime.guards().fromView(runtime.guards().viewOf(js)).orElseThrow();
            context = engines.context(js);
        }

        @TearDown
        public void tearDown() {
            guard.close();
            runtime.close();
            engines.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object vigilEnsureEvalRelease(Js s) {
        return vigil(s);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int baselineRawEnterEvalLeave(Js s) {
        return raw(s);
    }

    private static Object vigil(Js s) {
        try (ThreadStateToken t = s.threadStates.ensure(s.guard)) {
            return s.engines.eval(SCRIPT);
        }
    }

    private static int raw(Js s) {
        s.context.enter();
        try {
            return s.context.eval("js", SCRIPT).asInt();
        } finally {
            s.context.leave();
        }
    }

    /** Nanoseconds (wall clock) each way took in {@link #paired}'s iteration, and evaluations per way. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PairedTimes {
        public long rawNanos;
        public long vigilNanos;
        public long evals;
        boolean rawFirst;

        @Setup(Level.Iteration)
        public void reset() {
            rawNanos = 0;
            vigilNanos = 0;
            evals = 0;
        }
    }

    private static final int BATCH = 64;

    /**
     * The engine row paired: both ways in one fork, batch after batch, each batch timed, their
     * order swapped from one invocation to the next; {@code vigilNanos / rawNanos} compares them
     * on the same compiled GraalJS host code. Separate benchmarks run in separate forks, and
     * each fork settles in a faster or a slower mode (fork means of one benchmark differ by up
     * to 30 %), which decides a ratio of separate runs more than Vigil does. The primary score
     * is the mean of both ways.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(2 * BATCH)
    public void paired(Js s, PairedTimes p, Blackhole bh) {
        p.rawFirst = !p.rawFirst;
        for (int k = 0; k < 2; k++) {
            boolean raw = p.rawFirst == (k == 0);
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                bh.consume(raw ? raw(s) : vigil(s));
            }
            long took = System.nanoTime() - t0;
            if (raw) {
                p.rawNanos += took;
            } else {
                p.vigilNanos += took;
            }
        }
        p.evals += BATCH;
    }

    /** One engine per fork; each invocation makes a new interpreter (context) on it. */
    @State(Scope.Benchmark)
    public static class Engine {
        VigilRuntime runtime;
        PolyglotInterpreters engines;
        final AtomicInteger names = new AtomicInteger();

        @Setup
        public void setUp() {
            runtime = Runtimes.build("simple");
            engines = PolyglotInterpreters.create(runtime);
        }

        @TearDown
        public void tearDown() {
            runtime.close();
            engines.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 0)
    @Measurement(iterations = 6)
    @Fork(1)
    public Object newContext(Engine e) {
        Interpreter js = e.engines.create("ctx-" + e.names.incrementAndGet(), "js");
        return e.engines.eval(js, "first", SCRIPT);
    }
}
