package dev.vigil.registry;

import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.ThreadStates;
import dev.vigil.guards.GuardsProviderImpl;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import dev.vigil.spi.kernel.KernelConfig;
import dev.vigil.threadstate.ThreadStatesProviderImpl;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The runtime that every jcstress sample of one JVM shares, and a fresh interpreter per sample.
 *
 * <p>Building a runtime per sample would cost far more than the race under test, and
 * {@code registry.create(name)} checks names against every live interpreter, which is
 * quadratic in a batch of samples. So the registry, guards and thread-state implementations
 * are built once, as {@code Vigil.builder()} builds them, and each sample gets a new
 * {@link InterpreterRecord} of that runtime through its package-private constructor (hence
 * this package). Such an interpreter is not listed in the registry, which none of the races
 * here depend on; everything else — its guard word, views, guards, thread states and
 * {@code shutdown} — is the production code.
 *
 * <p>Guard diagnostics are {@code off} in {@link #KERNEL}, so that a guard is nothing but its
 * count on the guard word, and {@code simple} in {@link #TRACKED_KERNEL}, where a guard is a
 * ledger guard (counted in its holder thread's ledger; see dev.vigil.spi.kernel.InterpreterLifecycle). The active policy waits at most
 * {@link #WAIT_BOUND} and then aborts, so that a shutdown that sleeps through the last close
 * wakes at that deadline, and every actor ends within bounded time. Lateness tells a lost
 * wake-up ({@link #lostWakeUp}).
 */
final class RaceRuntime {

    /** How long a sample's shutdown waits on guards before its policy aborts it. */
    static final Duration WAIT_BOUND = Duration.ofSeconds(4);

    /**
     * How long after the last close a shutdown may return and not be counted as having slept
     * through it. A finalizer that misses the close parks until its deadline and only then sees
     * the count at zero (it re-checks the word before asking the policy, so it completes rather
     * than aborts): it returns up to {@link #WAIT_BOUND} after the close. A correct one returns
     * microseconds after it; half the bound leaves room for any stall of its thread or process.
     */
    static final long LOST_WAKE_UP_NANOS = WAIT_BOUND.toNanos() / 2;

    static final RegistryKernel KERNEL = new RegistryKernel(new KernelConfig(null, new BoundedWait(),
            Map.of("vigil.diagnostics", "off"), text -> { }, new Properties()));
    static final ThreadStates THREAD_STATES = new ThreadStatesProviderImpl().create(KERNEL);
    static final InterpreterGuards GUARDS = new GuardsProviderImpl().create(KERNEL, THREAD_STATES);

    /**
     * A second shared runtime at diagnostics {@code simple} (the default), for the races of
     * the guard bookkeeping: each guard an entry in its holder thread's ledger, closed by a
     * CAS on that entry before its count is released (see dev.vigil.guards.Ledger).
     */
    static final RegistryKernel TRACKED_KERNEL = new RegistryKernel(new KernelConfig(null, new BoundedWait(),
            Map.of("vigil.diagnostics", "simple"), text -> { }, new Properties()));
    static final ThreadStates TRACKED_THREAD_STATES = new ThreadStatesProviderImpl().create(TRACKED_KERNEL);
    static final InterpreterGuards TRACKED_GUARDS = new GuardsProviderImpl().create(TRACKED_KERNEL,
            TRACKED_THREAD_STATES);

    /** The longest a paced actor waits for the other to get somewhere. */
    static final long PACE_BOUND_NANOS = 10_000_000;
    private static final AtomicInteger SAMPLES = new AtomicInteger();
    private static final long[] SWEEP_NANOS = new long[64];

    static {
        for (int k = 1; k < SWEEP_NANOS.length; k++) {
            SWEEP_NANOS[k] = Math.round(Math.pow(2, k / 4.0));
        }
    }

    /** Above every id the runtime hands out, so that no sample's interpreter shares one. */
    private static final AtomicLong IDS = new AtomicLong(1L << 48);

    private RaceRuntime() {
    }

    /** A new running subinterpreter of the shared runtime, with nothing open on it. */
    static InterpreterRecord newInterpreter() {
        return new InterpreterRecord(KERNEL, IDS.getAndIncrement(), "race", false);
    }

    /** A new running subinterpreter of the tracked ({@code simple}) runtime, with nothing open on it. */
    static InterpreterRecord newTrackedInterpreter() {
        return new InterpreterRecord(TRACKED_KERNEL, IDS.getAndIncrement(), "race", false);
    }

    private static final AtomicInteger KINDS = new AtomicInteger();

    /**
     * Alternates from sample to sample: true for the tracked runtime (its guards are ledger
     * guards, counted in their holder's ledger), false for the one at {@code off} (word guards),
     * so that one race test covers both ways a guard is counted.
     */
    static boolean nextTracked() {
        return (KINDS.getAndIncrement() & 1) != 0;
    }

    /** A new running subinterpreter of the tracked or the {@code off} runtime. */
    static InterpreterRecord newInterpreter(boolean tracked) {
        return tracked ? newTrackedInterpreter() : newInterpreter();
    }

    /** The guards of the tracked or the {@code off} runtime. */
    static InterpreterGuards guards(boolean tracked) {
        return tracked ? TRACKED_GUARDS : GUARDS;
    }

    /** The thread states of the tracked or the {@code off} runtime. */
    static ThreadStates threadStates(boolean tracked) {
        return tracked ? TRACKED_THREAD_STATES : THREAD_STATES;
    }

    /** How many guards of {@code interpreter} (of the tracked runtime) are listed now (G6). */
    static int listed(InterpreterRecord interpreter) {
        return TRACKED_KERNEL.guardDirectory().openGuards(interpreter.id()).size();
    }

    /** A number that varies from sample to sample (0 to 127), for pacing actors. */
    static int nextPace() {
        return SAMPLES.getAndIncrement() & 127;
    }

    /**
     * Spins until {@code interpreter}'s shutdown has started, then for the {@code k}th of 64
     * delays spread evenly on a log scale from 0 to about 55 µs (2<sup>k/4</sup> ns), so that
     * over many samples an actor's next step lands at every point of the finalizer's path —
     * hundreds of nanoseconds when compiled, tens of microseconds when interpreted — instead
     * of nearly always before it. Bounded by {@link #PACE_BOUND_NANOS}, so the actor ends even
     * if the finalizer's thread lags.
     */
    static void sweepIntoShutdown(InterpreterRecord interpreter, int k) {
        long bound = System.nanoTime() + PACE_BOUND_NANOS;
        while (interpreter.state() == InterpreterState.RUNNING && System.nanoTime() - bound < 0) {
            Thread.onSpinWait();
        }
        long at = System.nanoTime() + SWEEP_NANOS[k];
        while (System.nanoTime() - at < 0) {
            Thread.onSpinWait();
        }
    }

    /** Spins until a finalizer is registered as {@code interpreter}'s waiter; bounded likewise. */
    static void awaitWaiting(InterpreterRecord interpreter) {
        long bound = System.nanoTime() + PACE_BOUND_NANOS;
        while ((interpreter.word() & InterpreterRecord.WAITING) == 0 && System.nanoTime() - bound < 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Whether a shutdown that was called at {@code calledAt} and returned at {@code returnedAt}
     * slept through the last close at {@code closedAt} (all {@link System#nanoTime()}). Counted
     * from the later of the call and the close: a finalizer whose thread lagged behind and
     * called {@code shutdown} long after the close has nothing to sleep through.
     */
    static boolean lostWakeUp(long calledAt, long closedAt, long returnedAt) {
        return returnedAt - Math.max(calledAt, closedAt) > LOST_WAKE_UP_NANOS;
    }

    /** The finalizing actor's call: shuts {@code interpreter} down and returns its report, aborted or not. */
    static dev.vigil.api.FinalizationReport shutdownReport(InterpreterRecord interpreter) {
        try {
            return interpreter.shutdown();
        } catch (dev.vigil.api.FinalizationAbortedException e) {
            return e.report();
        }
    }

    /**
     * Consumes a park permit the calling thread may hold from an earlier sample (a close that
     * unparked this finalizer after it had already seen the count reach zero). Left in place,
     * it would wake the next sample's finalizer at once and hide a wake-up that was lost.
     * A permit is consumed at once; without one, a 1 ns park returns at once too.
     */
    static void dropStalePermit() {
        LockSupport.parkNanos(1);
    }

    /** Waits {@link #WAIT_BOUND} on the wait's clock, then aborts; decides nothing else. */
    private static final class BoundedWait implements FinalizationPolicy {
        @Override
        public String name() {
            return "race-bounded-wait";
        }

        @Override
        public WaitDecision onWait(WaitContext context) {
            return context.waited().compareTo(WAIT_BOUND) < 0
                    ? WaitDecision.waitUntil(WAIT_BOUND)
                    : WaitDecision.abort("waited " + WAIT_BOUND.toMillis() + " ms");
        }

        @Override
        public WaitDecision onInterrupt(WaitContext context) {
            return onWait(context);
        }
    }
}
