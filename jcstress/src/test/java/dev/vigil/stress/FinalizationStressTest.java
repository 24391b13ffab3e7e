package dev.vigil.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.Detachment;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §5 stress run, bounded in time: worker threads cycle guards, ensure/release
 * (nested, switching interpreters, with detach), legacy ensures, views and atexit hooks on
 * interpreters that lanes create, churn and shut down over and over, under the default policy
 * (daemon-hang, which waits for ever: a lost wake-up or a deadlock shows as a bound missed).
 * Lanes alternate two kinds of shutdown: a <em>racing</em> one, during which the workers keep
 * taking guards, tokens and hooks, so that they race the point of no return; and a
 * <em>draining</em> one, for which the workers start nothing new on that interpreter, so that
 * the last close is really the last — under churn a lost wake-up would be healed by the next
 * guard's close, with none coming it hangs the shutdown.
 *
 * <p>Invariants checked on every operation, carried back to the test thread:
 * <ul>
 * <li>G3/T3: while a guard or a token from {@code ensureFromView} is open, the interpreter's
 *     state is never FINALIZING or FINALIZED and {@code current()} names it;
 * <li>G5: once any worker was refused a guard, a guard, token or hook taken afterwards on the
 *     same interpreter is refused too;
 * <li>F1: every atexit hook registered successfully runs exactly once; a finalized
 *     interpreter has no open guard left, refuses guards and tokens, and left the registry;
 * <li>F2: every shutdown returns within {@link #WAKE_BOUND} of the last guard close (the
 *     latencies of draining shutdowns are printed: DESIGN.md §4 wants a median ≤ 1 ms);
 * <li>no deadlock: every shutdown, lane and worker finishes within its bound.
 * </ul>
 */
@SuppressWarnings("try") // guards, tokens and detachments are scopes: try-with-resources is their use
class FinalizationStressTest {

    private static final double FACTOR = Double.parseDouble(System.getProperty("vigil.test.timeoutFactor", "1"));
    /** How long the lanes keep creating interpreters; {@code -Dvigil.stress.millis} to change. */
    private static final Duration RUN = Duration.ofMillis(Long.getLong("vigil.stress.millis", 8_000));
    private static final Duration WAKE_BOUND = scaled(Duration.ofSeconds(2));
    private static final Duration STEP_BOUND = scaled(Duration.ofSeconds(5));
    private static final int WORKERS = 4;
    private static final int LANES = 2;
    /** Guarded operations on an interpreter before its lane shuts it down. */
    private static final int CHURN = 200;
    /** Refused operations on a finalized interpreter before its lane moves on. */
    private static final int AFTERMATH = 20;

    private final VigilRuntime runtime = Vigil.builder().notices(text -> { }).build();
    private final InterpreterGuards guards = runtime.guards();
    private final ThreadStates threadStates = runtime.threadStates();
    private final AtomicReferenceArray<Target> targets = new AtomicReferenceArray<>(LANES);
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Queue<Target> finished = new ConcurrentLinkedQueue<>();
    private final List<Long> wakeLatencies = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder guardedOps = new LongAdder();
    private final LongAdder refusedOps = new LongAdder();
    private volatile boolean stop;

    private static Duration scaled(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * FACTOR));
    }

    /** One interpreter under churn, and what the workers observed on it. */
    private static final class Target {
        final Interpreter interpreter;
        final InterpreterView view;
        final CountDownLatch churned = new CountDownLatch(CHURN);
        final CountDownLatch aftermath = new CountDownLatch(AFTERMATH);
        final AtomicLong lastClose = new AtomicLong();
        final AtomicInteger hooksRegistered = new AtomicInteger();
        final AtomicInteger hooksRun = new AtomicInteger();
        /** Set by the first worker refused on this interpreter (G5). */
        volatile boolean refused;
        /** Set by its lane around a draining shutdown: workers start nothing new on it. */
        volatile boolean draining;

        Target(Interpreter interpreter, InterpreterView view) {
            this.interpreter = interpreter;
            this.view = view;
        }
    }

    @Test
    void G3_G5_T3_F1_F2_nothingGuardedOrAttachedPastThePointOfNoReturn_noLostWakeUp_noDeadlock() throws Exception {
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            workers.add(start("stress-worker-" + i, this::work));
        }
        long deadline = System.nanoTime() + RUN.toNanos();
        AtomicInteger cycles = new AtomicInteger();
        List<Thread> lanes = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            int l = lane;
            lanes.add(start("stress-lane-" + lane, () -> runLane(l, deadline, cycles)));
        }
        try {
            joinAll(lanes, RUN.plus(STEP_BOUND.multipliedBy(4)));
        } finally {
            stop = true;
            joinAll(workers, STEP_BOUND);
        }
        for (Target t : finished) {
            if (t.hooksRun.get() != t.hooksRegistered.get()) {
                fail("F1: " + t.interpreter.name() + " ran " + t.hooksRun + " atexit hooks of "
                        + t.hooksRegistered + " registered");
            }
        }
        shutDownRuntime();

        List<Long> latencies = new ArrayList<>(wakeLatencies);
        Collections.sort(latencies);
        System.out.printf("stress: %d interpreters finalized, %d guarded and %d refused operations; "
                        + "last close -> draining shutdown returns: median %.3f ms, p99 %.3f ms, max %.3f ms%n",
                cycles.get(), guardedOps.sum(), refusedOps.sum(), percentile(latencies, 0.5),
                percentile(latencies, 0.99), percentile(latencies, 1.0));
        assertThat(failures).as("invariant violations").isEmpty();
        assertThat(cycles.get()).as("interpreters created, churned and finalized").isGreaterThanOrEqualTo(LANES * 5);
        assertThat(refusedOps.sum()).as("operations refused past a point of no return").isPositive();
    }

    /** The q-quantile of sorted nanosecond values, in milliseconds. */
    private static double percentile(List<Long> sorted, double q) {
        return sorted.isEmpty() ? 0.0 : sorted.get((int) Math.ceil(q * sorted.size()) - 1) / 1e6;
    }

    // ---- lanes: create, churn, shut down, check, repeat

    private void runLane(int lane, long deadline, AtomicInteger cycles) {
        for (int n = 0; System.nanoTime() - deadline < 0 && failures.isEmpty(); n++) {
            Interpreter interpreter = runtime.registry().create("stress-" + lane + "-" + n);
            Target t = new Target(interpreter, guards.viewOf(interpreter));
            targets.set(lane, t);
            if (!await(t.churned, "churn on " + interpreter.name())) {
                return;
            }
            boolean draining = n % 2 == 0;
            t.draining = draining;
            long start = System.nanoTime();
            FinalizationReport report = runtime.registry().shutdown(interpreter);
            long returned = System.nanoTime();
            t.draining = false;
            long lastClose = t.lastClose.get();
            if (lastClose != 0 && returned - lastClose > 0) {
                if (draining) {
                    wakeLatencies.add(returned - lastClose);
                }
                if (returned - lastClose > WAKE_BOUND.toNanos()) {
                    fail("F2: shutdown of " + interpreter.name() + " returned " + (returned - lastClose) / 1_000_000
                            + " ms after the last guard close (bound " + WAKE_BOUND.toMillis() + " ms)\n" + report);
                }
            }
            if (returned - start > STEP_BOUND.toNanos()) {
                fail("shutdown of " + interpreter.name() + " took " + (returned - start) / 1_000_000 + " ms\n" + report);
            }
            checkFinalized(t, report);
            if (!await(t.aftermath, "refusals on finalized " + interpreter.name())) {
                return;
            }
            finished.add(t);
            cycles.incrementAndGet();
        }
    }

    private void checkFinalized(Target t, FinalizationReport report) {
        Interpreter i = t.interpreter;
        if (report.outcome() != FinalizationReport.Outcome.COMPLETED || i.state() != InterpreterState.FINALIZED) {
            fail("F1: shutdown of " + i.name() + " ended " + report.outcome() + " in state " + i.state());
        }
        if (guards.fromView(t.view).isPresent() || threadStates.ensureFromView(t.view).isPresent()) {
            fail("G5/T3: a guard or token was obtained on finalized " + i.name());
        }
        if (guards.openGuards().stream().anyMatch(g -> g.interpreterId() == i.id())) {
            fail("G3: finalized " + i.name() + " still lists an open guard");
        }
        if (runtime.registry().lookup(i.id()).isPresent()) {
            fail("F1: finalized " + i.name() + " is still in the registry");
        }
    }

    // ---- workers

    private void work() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop) {
            Target t = targets.get(random.nextInt(LANES));
            if (t == null || t.draining) {
                Thread.onSpinWait();
                continue;
            }
            try {
                switch (random.nextInt(5)) {
                    case 0, 1 -> guard(t);
                    case 2 -> ensure(t, random);
                    case 3 -> hook(t);
                    default -> views(t);
                }
            } catch (RuntimeException | Error e) {
                fail("unexpected " + e + " on " + t.interpreter.name() + " at "
                        + Arrays.toString(Arrays.copyOf(e.getStackTrace(), Math.min(4, e.getStackTrace().length))));
            }
        }
    }

    /** G2, G3, G4, G5: a guard from a view, held across a state check, closed twice. */
    private void guard(Target t) {
        boolean wasRefused = t.refused;
        Optional<InterpreterGuard> g = guards.fromView(t.view);
        if (g.isEmpty()) {
            refused(t);
            return;
        }
        if (wasRefused) {
            fail("G5: a guard was obtained on " + t.interpreter.name() + " after another was refused");
        }
        try (InterpreterGuard guard = g.get()) {
            checkBeforePointOfNoReturn(t, "a guard");
            guard.close(); // G4: the second close (by try-with-resources) is a no-op
        }
        closed(t);
    }

    /** T1, T3, T6, G1: ensureFromView, nested ensure on fromCurrent, a switch, a detach. */
    private void ensure(Target t, ThreadLocalRandom random) {
        boolean wasRefused = t.refused;
        Optional<ThreadStateToken> token = threadStates.ensureFromView(t.view);
        if (token.isEmpty()) {
            refused(t);
            return;
        }
        if (wasRefused) {
            fail("G5/T3: a token was obtained on " + t.interpreter.name() + " after a guard was refused");
        }
        try (ThreadStateToken outer = token.get()) {
            checkAttached(t, "an ensureFromView token");
            try (InterpreterGuard g = guards.fromCurrent(); ThreadStateToken nested = threadStates.ensure(g)) {
                checkAttached(t, "a nested ensure");
            }
            Target other = targets.get(random.nextInt(LANES));
            if (other != null && other != t && !other.draining) {
                Optional<ThreadStateToken> switched = threadStates.ensureFromView(other.view);
                if (switched.isPresent()) {
                    try (ThreadStateToken s = switched.get()) {
                        checkAttached(other, "a switched-to token");
                    }
                    closed(other);
                }
                checkAttached(t, "a token after switching back");
            }
            try (Detachment d = threadStates.detach()) {
                if (threadStates.current().isPresent()) {
                    fail("T6: still attached after detach()");
                }
            }
            checkAttached(t, "a token after re-attaching");
        }
        closed(t);
        try (ThreadStateToken legacy = threadStates.legacyEnsure()) {
            if (threadStates.current().orElse(null) != runtime.registry().main()) {
                fail("T7: legacyEnsure() did not attach to main");
            }
        }
        if (threadStates.current().isPresent()) {
            fail("T4: still attached after every token was released");
        }
    }

    /** F1 step 3: hooks registered before the point of no return run once; after it, refused. */
    private void hook(Target t) {
        boolean wasRefused = t.refused;
        try {
            runtime.registry().atExit(t.interpreter, t.hooksRun::incrementAndGet);
        } catch (InterpreterFinalizingException e) {
            refused(t);
            return;
        }
        t.hooksRegistered.incrementAndGet();
        if (wasRefused) {
            fail("G5: an atexit hook was accepted on " + t.interpreter.name() + " after a guard was refused");
        }
    }

    /** V2, V4: views come and go without holding finalization off; a closed view refuses. */
    private void views(Target t) {
        InterpreterView v = guards.viewOf(t.interpreter);
        v.close();
        v.close();
        try {
            guards.fromView(v);
            fail("V4: promoting a closed view did not throw");
        } catch (IllegalStateException expected) {
            // V4
        }
    }

    private void checkBeforePointOfNoReturn(Target t, String what) {
        InterpreterState s = t.interpreter.state();
        if (s == InterpreterState.FINALIZING || s == InterpreterState.FINALIZED) {
            fail("G3: " + t.interpreter.name() + " is " + s + " while " + what + " is open");
        }
    }

    private void checkAttached(Target t, String what) {
        checkBeforePointOfNoReturn(t, what);
        if (threadStates.current().orElse(null) != t.interpreter) {
            fail("T3: current() is " + threadStates.current() + " while " + what + " on " + t.interpreter.name()
                    + " is open");
        }
    }

    private void closed(Target t) {
        t.lastClose.accumulateAndGet(System.nanoTime(), Math::max);
        guardedOps.increment();
        t.churned.countDown();
    }

    private void refused(Target t) {
        t.refused = true;
        refusedOps.increment();
        t.aftermath.countDown();
    }

    // ---- bounded waits and failure reporting

    private void fail(String what) {
        if (failures.size() < 20) {
            failures.add(what + " [" + Thread.currentThread().getName() + "]");
        }
    }

    private boolean await(CountDownLatch latch, String what) {
        try {
            if (latch.await(STEP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            fail("no " + what + " within " + STEP_BOUND.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + what);
        }
        return false;
    }

    private static Thread start(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true); // a wedged run must not keep the test JVM alive
        t.start();
        return t;
    }

    private void joinAll(List<Thread> threads, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                failures.add("DEADLOCK? " + t.getName() + " did not finish within " + bound.toMillis() + " ms\n"
                        + threadDump());
                throw new AssertionError(String.join("\n", failures));
            }
        }
    }

    private void shutDownRuntime() throws InterruptedException {
        Thread closer = start("stress-runtime-close", runtime::close);
        joinAll(List.of(closer), STEP_BOUND);
    }

    private static String threadDump() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith("stress-")) {
                sb.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
                for (StackTraceElement f : e.getValue()) {
                    sb.append("    at ").append(f).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
