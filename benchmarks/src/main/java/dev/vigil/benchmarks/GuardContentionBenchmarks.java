package dev.vigil.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * "Guard open+close, 2 threads on one interpreter" of DESIGN.md section 4 (bar: at most 1.5x
 * an {@code AtomicLong} increment/decrement pair at 2 threads, and far below
 * {@code ReentrantReadWriteLock} read lock/unlock), with {@code LongAdder} increment/decrement
 * for reference. Two threads share one runtime, one view and so one guard word; the baselines
 * share one counter or lock the same way.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
public class GuardContentionBenchmarks {

    /** One runtime shared by both benchmark threads. */
    @State(Scope.Benchmark)
    public static class SharedVigil {
        @Param({"off", "simple"})
        public String diagnostics;
        GuardState state;

        @Setup
        public void setUp() {
            state = new GuardState(diagnostics);
        }

        @TearDown
        public void tearDown() {
            state.close();
        }
    }

    /** The baselines' shared counters and lock. */
    @State(Scope.Benchmark)
    public static class SharedBaselines {
        final AtomicLong counter = new AtomicLong();
        final LongAdder adder = new LongAdder();
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    }

    @Benchmark
    public void guardOpenClose(SharedVigil v) {
        v.state.openCloseGuard();
    }

    @Benchmark
    public void guardWordAcquireRelease(SharedVigil v) {
        v.state.acquireReleaseWord();
    }

    @Benchmark
    public long baselineAtomicLongPair(SharedBaselines b) {
        b.counter.incrementAndGet();
        return b.counter.decrementAndGet();
    }

    @Benchmark
    public void baselineReadLockUnlock(SharedBaselines b) {
        b.lock.readLock().lock();
        b.lock.readLock().unlock();
    }

    @Benchmark
    public void referenceLongAdderIncDec(SharedBaselines b) {
        b.adder.increment();
        b.adder.decrement();
    }
}
