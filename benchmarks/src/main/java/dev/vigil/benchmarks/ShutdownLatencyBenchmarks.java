package dev.vigil.benchmarks;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.VigilRuntime;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * "Last guard close → {@code shutdown} returns" of DESIGN.md section 4 (bar: median at most
 * 1 ms). Before each invocation, outside the measured time: a new subinterpreter, one guard on
 * it, and {@code shutdown} of it started on another thread and parked waiting for that guard
 * (checked by the thread's park blocker, Vigil's finalization attempt). The invocation closes
 * the guard and spins until {@code shutdown} has returned on the other thread.
 *
 * <p>The baseline is the floor of any wake-up: the same other thread parked, unparked, and
 * observed to run again.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class ShutdownLatencyBenchmarks {

    /** Bound of every wait in this class. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The other thread, where shutdown (or the baseline's park) runs. */
    abstract static class OtherThread {
        ExecutorService executor;
        volatile Thread thread;
        /** Set by the other thread when its task returned. */
        volatile boolean returned;
        volatile Throwable failure;

        void startExecutor() {
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "benchmark-other-thread");
                t.setDaemon(true);
                thread = t;
                return t;
            });
        }

        /** Runs {@code task} on the other thread; {@link #returned} is set when it returns. */
        void submit(Runnable task) {
            returned = false;
            failure = null;
            executor.execute(() -> {
                try {
                    task.run();
                    returned = true;
                } catch (Throwable t) {
                    failure = t;
                }
            });
        }

        /** Waits, spinning (bounded), until the other thread's task returned. */
        void awaitReturned() {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (!returned) {
                if (failure != null) {
                    throw new IllegalStateException("the other thread failed", failure);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the other thread did not return within 10 s");
                }
                Thread.onSpinWait();
            }
        }

        /** Waits (bounded) until {@code condition} holds. */
        void await(BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (!condition.getAsBoolean()) {
                if (failure != null) {
                    throw new IllegalStateException("the other thread failed", failure);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("not within 10 s: " + what);
                }
                Thread.yield();
            }
        }

        /** Whether the other thread is parked with a blocker whose class is named {@code blocker}. */
        boolean parkedOn(String blocker) {
            Thread t = thread;
            Object b = t == null ? null : LockSupport.getBlocker(t);
            Thread.State s = t == null ? null : t.getState();
            return b != null && b.getClass().getName().equals(blocker)
                    && (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING);
        }

        void stopExecutor() {
            executor.shutdownNow();
        }
    }

    /** A subinterpreter with one guard and its shutdown waiting on it, renewed per invocation. */
    @State(Scope.Thread)
    public static class PendingShutdown extends OtherThread {
        private static final String FINALIZATION = "dev.vigil.registry.Finalization";

        @Param({"off", "simple"})
        public String diagnostics;
        VigilRuntime runtime;
        InterpreterGuard guard;
        private long created;

        @Setup(Level.Trial)
        public void setUpTrial() {
            runtime = Runtimes.build(diagnostics);
            startExecutor();
        }

        @Setup(Level.Invocation)
        public void arm() {
            Interpreter sub = runtime.registry().create("latency-" + created++);
            try (InterpreterView view = runtime.guards().viewOf(sub)) {
                guard = runtime.guards().fromView(view).orElseThrow();
            }
            submit(() -> runtime.registry().shutdown(sub));
            await(() -> sub.state() == InterpreterState.SHUTTING_DOWN && parkedOn(FINALIZATION),
                    "shutdown of " + sub + " parked waiting for its guard");
        }

        @TearDown(Level.Trial)
        public void tearDownTrial() {
            stopExecutor();
            runtime.close();
        }
    }

    /** The baseline: the other thread parked, waiting for {@link #go}. */
    @State(Scope.Thread)
    public static class ParkedThread extends OtherThread {
        /** The park blocker, so that {@link #arm()} knows the thread is parked in the task. */
        static final class Blocker {
        }

        private final Blocker blocker = new Blocker();
        volatile boolean go;

        @Setup(Level.Trial)
        public void setUpTrial() {
            startExecutor();
        }

        @Setup(Level.Invocation)
        public void arm() {
            go = false;
            submit(() -> {
                while (!go) {
                    LockSupport.park(blocker);
                }
            });
            await(() -> parkedOn(Blocker.class.getName()), "the other thread parked");
        }

        @TearDown(Level.Trial)
        public void tearDownTrial() {
            stopExecutor();
        }
    }

    @Benchmark
    public void lastGuardCloseToShutdownReturn(PendingShutdown p) {
        p.guard.close();
        p.awaitReturned();
    }

    @Benchmark
    public void baselineUnparkToReturn(ParkedThread p) {
        p.go = true;
        LockSupport.unpark(p.thread);
        p.awaitReturned();
    }
}
