package dev.vigil.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * "Guard open+close, one thread" of DESIGN.md section 4 (bar: at most 2x an {@code AtomicLong}
 * increment/decrement pair), beside its baselines in the same run, plus the
 * {@code ReentrantReadWriteLock} read lock/unlock at one thread that the two-thread row
 * ({@link GuardContentionBenchmarks}) compares with.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
public class GuardBenchmarks {

    /** A runtime of the benchmark thread's own. */
    @State(Scope.Thread)
    public static class Vigil {
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

    /** The baselines' own counter and lock. */
    @State(Scope.Thread)
    public static class Baselines {
        final AtomicLong counter = new AtomicLong();
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    }

    @Benchmark
    public void guardOpenClose(Vigil v) {
        v.state.openCloseGuard();
    }

    @Benchmark
    public void guardWordAcquireRelease(Vigil v) {
        v.state.acquireReleaseWord();
    }

    @Benchmark
    public long baselineAtomicLongPair(Baselines b) {
        b.counter.incrementAndGet();
        return b.counter.decrementAndGet();
    }

    @Benchmark
    public void baselineReadLockUnlock(Baselines b) {
        b.lock.readLock().lock();
        b.lock.readLock().unlock();
    }
}
