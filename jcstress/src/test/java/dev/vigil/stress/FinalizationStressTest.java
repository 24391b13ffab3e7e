package dev.vigil.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.Detachment;
import dev.vigil.api.FinalizationAbortedException;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §5 stress run and soak (issue 13), bounded in time: worker threads cycle guards,
 * ensure/release (nested, switching interpreters, with detach), legacy ensures, views, atexit
 * hooks, interpreter threads (daemon and non-daemon, from {@code threadFactory}) and late
 * attaches on interpreters that lanes create, churn and shut down over and over, while a
 * conductor swaps the policy among daemon-hang, fail-fast and timed-interrupt and sends
 * interrupts (S2). Under daemon-hang, which waits for ever, a lost wake-up or a deadlock shows
 * as a bound missed; under the others, as an abort no interrupt explains.
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
 * <li>F6: an aborted shutdown leaves its interpreter RUNNING, and a retry completes; a
 *     draining shutdown aborts only for an interrupt (anything else means it slept through
 *     the last close);
 * <li>H1: an interpreter thread's body runs attached to its interpreter, never past its point
 *     of no return; none is created once a guard was refused;
 * <li>P2c: a late attach never returns normally; every late attacher ends once fail-fast is
 *     active;
 * <li>§5: no wait-for cycle is reported (none is built here: one would be a false alarm);
 * <li>no deadlock: every shutdown, lane and worker finishes within its bound; at the end
 *     every guard is accounted for (none listed open, main's count zero) and the runtime
 *     closes.
 * </ul>
 * Prints operations per second and the number of shutdowns survived. The short variant runs
 * in every build ({@code -Dvigil.stress.millis}, default 20 s); the soak is tagged
 * {@code stress} and runs only when asked ({@code -Dvigil.soak.millis}, default 10 minutes),
 * see the module's pom.
 */
@SuppressWarnings("try") // guards, tokens and detachments are scopes: try-with-resources is their use
class FinalizationStressTest {

    private static final double FACTOR = Double.parseDouble(System.getProperty("vigil.test.timeoutFactor", "1"));
    /** How long the short variant's lanes keep creating interpreters; {@code -Dvigil.stress.millis} to change. */
    private static final Duration RUN = Duration.ofMillis(Long.getLong("vigil.stress.millis", 20_000));
    /** How long the soak runs; {@code -Dvigil.soak.millis} to change. */
    private static final Duration SOAK = Duration.ofMillis(Long.getLong("vigil.soak.millis", 600_000));
    private static final List<String> POLICIES = List.of("daemon-hang", "fail-fast", "timed-interrupt");
    /** Late attachers alive at once, at most (each is a thread of its own). */
    private static final int LATE_ATTACHERS = 4;
    private static final Duration WAKE_BOUND = scaled(Duration.ofSeconds(2));
    private static final Duration STEP_BOUND = scaled(Duration.ofSeconds(5));
    private static final int WORKERS = 4;
    private static final int LANES = 2;
    /** Guarded operations on an interpreter before its lane shuts it down. */
    private static final int CHURN = 200;
    /** Refused operations on a finalized interpreter before its lane moves on. */
    private static final int AFTERMATH = 20;

    private final Queue<String> cycleNotices = new ConcurrentLinkedQueue<>();
    private final VigilRuntime runtime = Vigil.builder()
            .option("fail-fast.grace", "500ms")
            .option("timed-interrupt.timeout", "300ms")
            .option("timed-interrupt.interruptGrace", "300ms")
            .option("timed-interrupt.interruptDelay", "100ms")
            .notices(text -> {
                if (text.contains("wait-for cycle") && cycleNotices.size() < 5) {
                    cycleNotices.add(text);
                }
            }).build();
    private final InterpreterGuards guards = runtime.guards();
    private final ThreadStates threadStates = runtime.threadStates();
    private final AtomicReferenceArray<Target> targets = new AtomicReferenceArray<>(LANES);
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Queue<Target> finished = new ConcurrentLinkedQueue<>();
    private final List<Long> wakeLatencies = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder guardedOps = new LongAdder();
    private final LongAdder refusedOps = new LongAdder();
    private final LongAdder otherOps = new LongAdder();
    private final LongAdder threadsRun = new LongAdder();
    private final LongAdder lateAttaches = new LongAdder();
    private final LongAdder aborts = new LongAdder();
    private final LongAdder swaps = new LongAdder();
    private final LongAdder interruptsSent = new LongAdder();
    private final Semaphore lateSlots = new Semaphore(LATE_ATTACHERS);
    private final List<Thread> lateThreads = Collections.synchronizedList(new ArrayList<>());
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
        run(RUN);
    }

    /** The soak: the same run for {@link #SOAK} (issue 13: 10 minutes on JDK 17 and 25). */
    @Test
    @Tag("stress")
    void soak() throws Exception {
        run(SOAK);
    }

    private void run(Duration length) throws Exception {
        long began = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            workers.add(start("stress-worker-" + i, this::work));
        }
        long deadline = System.nanoTime() + length.toNanos();
        AtomicInteger cycles = new AtomicInteger();
        List<Thread> lanes = new ArrayList<>();
        for (int lane = 0; lane < LANES; lane++) {
            int l = lane;
            lanes.add(start("stress-lane-" + lane, () -> runLane(l, deadline, cycles)));
        }
        Thread conductor = start("stress-conductor", this::conduct);
        try {
            joinAll(lanes, length.plus(STEP_BOUND.multipliedBy(4)));
        } finally {
            stop = true;
            joinAll(List.of(conductor), STEP_BOUND);
            runtime.policies().use("fail-fast"); // P2c: every late attach still parked now fails
            joinAll(workers, STEP_BOUND);
            joinAll(new ArrayList<>(lateThreads), STEP_BOUND);
        }
        if (!guards.openGuards().isEmpty() || runtime.registry().main().state() != InterpreterState.RUNNING) {
            fail("every guard accounted for: still open " + guards.openGuards());
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
        double seconds = (System.nanoTime() - began) / 1e9;
        long ops = guardedOps.sum() + refusedOps.sum() + otherOps.sum();
        System.out.printf("stress (%s, %.0f s): %.0f ops/s (%d operations: %d guarded, %d refused, %d other; %d interpreter"
                        + " threads, %d late attaches); shutdowns survived: %d completed, %d aborted and retried; %d policy"
                        + " swaps, %d interrupts; last close -> draining shutdown returns: median %.3f ms, p99 %.3f ms,"
                        + " max %.3f ms; violations: %d%n",
                Runtime.version(), seconds, ops / seconds, ops, guardedOps.sum(), refusedOps.sum(), otherOps.sum(),
                threadsRun.sum(), lateAttaches.sum(), cycles.get(), aborts.sum(), swaps.sum(), interruptsSent.sum(),
                percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0), failures.size());
        assertThat(cycleNotices).as("wait-for cycles reported where none was built").isEmpty();
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
            FinalizationReport report = shutDown(t, draining);
            if (report == null) {
                return;
            }
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
            if (returned - start > STEP_BOUND.multipliedBy(2).toNanos()) { // retries after aborts included
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

    /**
     * Shuts {@code t} down, retrying after aborts (F6: each leaves it RUNNING); null if it
     * could not be finalized within the bound.
     */
    private FinalizationReport shutDown(Target t, boolean draining) {
        long start = System.nanoTime();
        for (;;) {
            try {
                return runtime.registry().shutdown(t.interpreter);
            } catch (FinalizationAbortedException e) {
                aborts.increment();
                String reason = e.report().abortReason().orElse("");
                if (t.interpreter.state() != InterpreterState.RUNNING) {
                    fail("F6: " + t.interpreter.name() + " is " + t.interpreter.state() + " after an abort");
                }
                if (draining && !reason.startsWith("interrupted")) {
                    fail("F2: a draining shutdown of " + t.interpreter.name() + " aborted for no interrupt: " + reason
                            + "\n" + e.report());
                }
                if (System.nanoTime() - start > STEP_BOUND.multipliedBy(2).toNanos()) {
                    fail("shutdown of " + t.interpreter.name() + " kept aborting for " + STEP_BOUND.toMillis() * 2
                            + " ms: " + reason);
                    return null;
                }
            }
        }
    }

    // ---- the conductor: policy swaps (P4) and interrupts (S2)

    private void conduct() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(200)));
            if (random.nextInt(4) == 0) {
                runtime.interrupt();
                interruptsSent.increment();
            } else {
                runtime.policies().use(POLICIES.get(random.nextInt(POLICIES.size())));
                swaps.increment();
            }
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
            Thread.interrupted(); // timed-interrupt interrupts guard holders: an interrupt here is expected
            try {
                switch (random.nextInt(16)) {
                    case 0, 1, 2, 3, 4 -> guard(t);
                    case 5, 6, 7 -> ensure(t, random);
                    case 8, 9 -> hook(t);
                    case 10, 11 -> views(t);
                    case 12, 13 -> interpreterThread(t, random.nextBoolean());
                    default -> lateAttach(t);
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
        otherOps.increment();
        if (wasRefused) {
            fail("G5: an atexit hook was accepted on " + t.interpreter.name() + " after a guard was refused");
        }
    }

    /**
     * H1: a thread from the interpreter's factory runs its body attached, before the point of
     * no return (a non-daemon one is joined by shutdown); once a guard was refused, the factory
     * makes none.
     */
    private void interpreterThread(Target t, boolean daemon) {
        boolean wasRefused = t.refused;
        Thread th = t.interpreter.threadFactory(daemon).newThread(() -> {
            if (daemon) { // unguarded: its attachment is revoked at the point of no return, lazily
                if (threadStates.current().orElse(null) != t.interpreter) {
                    fail("H1: a daemon interpreter thread's body runs attached to " + threadStates.current());
                }
            } else {
                checkAttached(t, "a non-daemon interpreter thread's body"); // counted: holds the point off
            }
            threadsRun.increment();
        });
        if (th == null) {
            refused(t);
            return;
        }
        if (wasRefused) {
            fail("H1: an interpreter thread was made on " + t.interpreter.name() + " after a guard was refused");
        }
        th.setUncaughtExceptionHandler((x, e) -> {
            if (!(e instanceof InterpreterFinalizingException)) {
                fail("H1: interpreter thread failed: " + e);
            }
        });
        th.start(); // started past the point of no return its body is a late attach: it fails or parks, never runs
        otherOps.increment();
        try {
            th.join(STEP_BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (th.isAlive()) {
            fail("H1: interpreter thread " + th.getName() + " did not end within " + STEP_BOUND.toMillis() + " ms");
        }
    }

    /**
     * P2c, on a thread of its own: attach without a guard (ensure, then close the guard),
     * detach, and re-attach once the interpreter may have finalized: past its point of no
     * return the re-attach is a late attach, which never returns normally.
     */
    private void lateAttach(Target t) {
        if (!lateSlots.tryAcquire()) {
            views(t);
            return;
        }
        Thread late = new Thread(() -> {
            try {
                Optional<InterpreterGuard> g = guards.fromView(t.view);
                if (g.isEmpty()) {
                    refused(t);
                    return;
                }
                ThreadStateToken token = threadStates.ensure(g.get());
                g.get().close(); // attached, unguarded ("daemon" attachment)
                Detachment d = threadStates.detach();
                await(t.aftermath, "refusals before a late attach on " + t.interpreter.name());
                boolean past = t.interpreter.state() == InterpreterState.FINALIZED;
                try {
                    d.close();
                    if (past) {
                        fail("P2c: a late attach to finalized " + t.interpreter.name() + " returned normally");
                    }
                } catch (InterpreterFinalizingException expected) {
                    lateAttaches.increment();
                }
                try {
                    token.close();
                } catch (IllegalStateException e) {
                    // the re-attach failed: the attachment it would release was never restored
                }
            } catch (RuntimeException | Error e) {
                fail("late attach: unexpected " + e);
            } finally {
                lateSlots.release();
            }
        }, "stress-late-" + t.interpreter.name());
        late.setDaemon(true);
        lateThreads.add(late);
        late.start();
        otherOps.increment();
        lateThreads.removeIf(x -> !x.isAlive());
    }

    /** V2, V4: views come and go without holding finalization off; a closed view refuses. */
    private void views(Target t) {
        otherOps.increment();
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
