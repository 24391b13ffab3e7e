package dev.vigil.benchmarks;

import dev.vigil.api.Detachment;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.mozilla.javascript.Context;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Thread-state rows of DESIGN.md section 4, each beside its baseline in the same run:
 * T1a nested {@code ensure}+release and T1b cached re-attach against a {@code ThreadLocal}
 * get plus a field increment and decrement; {@code ensureFromView}+release against Rhino's
 * {@code Context.enter()}/{@code exit()} on a thread without a context. All single-threaded;
 * the Vigil rows run at diagnostics {@code off} and {@code simple}.
 *
 * <p>Every benchmark method here is compiled on its own ({@code DONT_INLINE}): inlined into
 * JMH's loop, the baseline's {@code ThreadLocal} lookup is loop-invariant and C2 hoists it out
 * of the loop (and folds the increment with the decrement), which measures the empty loop. Not
 * inlined, every row pays one call per operation and does all of its work each time. What each
 * method calls is still inlined into it as usual.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("try") // try-with-resources with an empty body is the measured shape
public class ThreadStateBenchmarks {

    /** T1a: the thread holds an outer ensure, so every measured ensure only nests. */
    @State(Scope.Thread)
    public static class Attached {
        @Param({"off", "simple"})
        public String diagnostics;
        VigilRuntime runtime;
        ThreadStates threadStates;
        InterpreterGuard guard;
        private ThreadStateToken outer;

        @Setup
        public void setUp() {
            runtime = Runtimes.build(diagnostics);
            threadStates = runtime.threadStates();
            guard = runtime.guards().fromView(runtime.guards().viewOfMain()).orElseThrow();
            outer = threadStates.ensure(guard);
        }

        @TearDown
        public void tearDown() {
            outer.close();
            guard.close();
            runtime.close();
        }
    }

    /** T1b: an outer ensure made the thread's state, then detach(): each ensure re-attaches it. */
    @State(Scope.Thread)
    public static class Detached {
        @Param({"off", "simple"})
        public String diagnostics;
        VigilRuntime runtime;
        ThreadStates threadStates;
        InterpreterGuard guard;
        private ThreadStateToken outer;
        private Detachment detachment;

        @Setup
        public void setUp() {
            runtime = Runtimes.build(diagnostics);
            threadStates = runtime.threadStates();
            guard = runtime.guards().fromView(runtime.guards().viewOfMain()).orElseThrow();
            outer = threadStates.ensure(guard);
            detachment = threadStates.detach();
        }

        @TearDown
        public void tearDown() {
            detachment.close();
            outer.close();
            guard.close();
            runtime.close();
        }
    }

    /** ensureFromView: the thread has no thread state; each ensure makes (reuses) one. */
    @State(Scope.Thread)
    public static class Unattached {
        @Param({"off", "simple"})
        public String diagnostics;
        VigilRuntime runtime;
        ThreadStates threadStates;
        InterpreterView view;

        @Setup
        public void setUp() {
            runtime = Runtimes.build(diagnostics);
            threadStates = runtime.threadStates();
            view = runtime.guards().viewOfMain();
        }

        @TearDown
        public void tearDown() {
            view.close();
            runtime.close();
        }
    }

    /** The baseline's per-thread record: one counter, as a thread state's ensure counter. */
    static final class Counter {
        int depth;
    }

    private static final ThreadLocal<Counter> COUNTERS = ThreadLocal.withInitial(Counter::new);
    private static final VarHandle DEPTH;

    static {
        try {
            DEPTH = MethodHandles.lookup().findVarHandle(Counter.class, "depth", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void t1aNestedEnsure(Attached s) {
        try (ThreadStateToken t = s.threadStates.ensure(s.guard)) {
            // nested: the thread is attached to the guard's interpreter already
        }
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void t1bCachedReattach(Detached s) {
        try (ThreadStateToken t = s.threadStates.ensure(s.guard)) {
            // re-attaches the thread's last-used state
        }
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void ensureFromView(Unattached s) {
        try (ThreadStateToken t = s.threadStates.ensureFromView(s.view).orElseThrow()) {
            // attached, with a guard owned by the thread state
        }
    }

    /**
     * Baseline of T1a and T1b (DESIGN.md section 4: "a {@code ThreadLocal.get()} + field
     * increment/decrement"), as CPython's nested {@code PyGILState_Ensure}/{@code Release} count
     * on the thread state they look up. The increment and the decrement are opaque accesses:
     * written as plain {@code c.depth++; c.depth--;}, C2 folds them away (its code for this
     * method on JDK 17 loads the {@code ThreadLocal}'s value and returns), which measures
     * {@code ThreadLocal.get()} alone. Here the counter is read once and written twice, the
     * incremented value and then the original one, with opaque stores, which compile to plain
     * stores (no fence on x86 or AArch64) but are both done: the cheapest code that still does
     * the increment and the decrement (a reload between them, as separate ensure and release
     * calls would do, would add a store-to-load forwarding). {@link #referenceThreadLocalGet}
     * measures the lookup alone, for reference.
     */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void baselineThreadLocalIncDec() {
        Counter c = COUNTERS.get();
        int depth = c.depth;
        DEPTH.setOpaque(c, depth + 1);
        DEPTH.setOpaque(c, depth);
    }

    /** Reference for T1a and T1b: {@code ThreadLocal.get()} alone (what the plain baseline compiled to). */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public Counter referenceThreadLocalGet() {
        return COUNTERS.get();
    }

    /** Baseline of ensureFromView: Rhino enters a new Context on a thread without one, and exits. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public void baselineRhinoEnterExit() {
        Context.enter();
        Context.exit();
    }
}
