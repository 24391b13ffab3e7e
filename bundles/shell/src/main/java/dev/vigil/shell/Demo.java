package dev.vigil.shell;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The built-in demo workload ({@code vigil:demo}): a pool of threads calls into a few fresh
 * subinterpreters the way callbacks do — through views, {@code ensureFromView} and release
 * (T3) — while the interpreters are shut down one after the other under the active policy.
 *
 * <p>What it shows: every call either runs against a live interpreter or is refused cleanly
 * with an empty {@code Optional} once that interpreter is finalizing (G2, T3); no call ever
 * runs against an interpreter past its point of no return (G3). A call counts as "dead" if,
 * inside it, the interpreter is {@code FINALIZING} or {@code FINALIZED} or the thread is not
 * attached to it: the contract says that count is zero.
 *
 * <p>Workers pause a random 50–500 µs between calls, as callbacks arriving from I/O do; a
 * shutdown waits for the calls in flight (step 4 of F1) and then refuses the rest. A shutdown
 * the policy aborts (fail-fast's grace on a starved machine) is shown as aborted and retried
 * once the workers have stopped, so the demo always ends with its interpreters finalized.
 */
final class Demo {

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long WORK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private final InterpreterRegistry registry;
    private final InterpreterGuards guards;
    private final ThreadStates threadStates;

    Demo(InterpreterRegistry registry, InterpreterGuards guards, ThreadStates threadStates) {
        this.registry = registry;
        this.guards = guards;
        this.threadStates = threadStates;
    }

    /** Per interpreter: what the workers saw and how its shutdown went. */
    private static final class Target {
        final Interpreter interpreter;
        final InterpreterView view;
        final LongAdder calls = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder dead = new LongAdder();
        FinalizationReport report;
        /** The outcome of a first attempt the policy aborted, retried once the workers stopped. */
        FinalizationReport.Outcome firstOutcome;

        Target(Interpreter interpreter, InterpreterView view) {
            this.interpreter = interpreter;
            this.view = view;
        }
    }

    /**
     * Runs the workload and prints what happened to {@code out}.
     *
     * @param threads      worker threads
     * @param interpreters subinterpreters to create and shut down
     * @param duration     roughly how long the workload runs; shutdowns are spread over it
     * @return whether the contract held: no dead call, no worker failure
     */
    boolean run(int threads, int interpreters, Duration duration, String policy, PrintStream out)
            throws InterruptedException {
        if (threads < 1 || interpreters < 1) {
            throw new IllegalArgumentException("threads and interpreters must be at least 1");
        }
        int run = RUNS.incrementAndGet();
        List<Target> targets = new ArrayList<>();
        for (int i = 1; i <= interpreters; i++) {
            Interpreter it = registry.create("demo" + run + "-" + i);
            targets.add(new Target(it, guards.viewOf(it)));
        }
        out.printf("demo: %d threads call into %d interpreters through views (ensureFromView/release) "
                + "while they shut down one by one under policy %s%n", threads, interpreters, policy);

        AtomicInteger threadNumbers = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vigil-demo-" + threadNumbers.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> workers = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        for (int w = 0; w < threads; w++) {
            workers.add(pool.submit(() -> work(targets, stop)));
        }
        List<String> failures = new ArrayList<>();
        try {
            long pause = Math.max(1, duration.toNanos() / (interpreters + 1));
            for (Target t : targets) {
                LockSupport.parkNanos(pause); // pacing the workload, not synchronisation
                t.report = shutdown(t.interpreter);
            }
            LockSupport.parkNanos(pause / 4); // let workers meet the finalized interpreters too
        } finally {
            stop.set(true);
            pool.shutdown();
            for (Future<?> f : workers) {
                try {
                    f.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add(String.valueOf(e.getCause()));
                } catch (TimeoutException e) {
                    failures.add("a worker did not stop within 5 s");
                }
            }
            pool.shutdownNow();
            for (Target t : targets) {
                t.view.close();
                if (t.interpreter.state() == InterpreterState.RUNNING) {
                    t.firstOutcome = t.report == null ? null : t.report.outcome();
                    t.report = shutdown(t.interpreter); // aborted earlier; no worker calls any more
                }
            }
        }
        return print(targets, failures, out);
    }

    private FinalizationReport shutdown(Interpreter i) {
        try {
            return registry.shutdown(i);
        } catch (FinalizationAbortedException e) {
            return e.report();
        }
    }

    private Void work(List<Target> targets, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get()) {
            Target t = targets.get(random.nextInt(targets.size()));
            Optional<ThreadStateToken> token = threadStates.ensureFromView(t.view);
            if (token.isPresent()) {
                try (ThreadStateToken attached = token.get()) {
                    call(t);
                }
            } else {
                t.refused.increment();
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextLong(50, 500)));
        }
        return null;
    }

    /** The "callback": checks it runs attached to a live interpreter, then does a little work. */
    private void call(Target t) {
        InterpreterState s = t.interpreter.state();
        boolean attachedHere = threadStates.current().map(c -> c.id() == t.interpreter.id()).orElse(false);
        if (!attachedHere || s == InterpreterState.FINALIZING || s == InterpreterState.FINALIZED) {
            t.dead.increment();
        } else {
            t.calls.increment();
        }
        long end = System.nanoTime() + WORK_NANOS;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static boolean print(List<Target> targets, List<String> failures, PrintStream out) {
        Table table = new Table("INTERPRETER", "ID", "CALLS", "REFUSED", "DEAD", "SHUTDOWN", "OUTCOME");
        long calls = 0;
        long refused = 0;
        long dead = 0;
        for (Target t : targets) {
            calls += t.calls.sum();
            refused += t.refused.sum();
            dead += t.dead.sum();
            FinalizationReport r = t.report;
            table.row(t.interpreter.name(), t.interpreter.id(), t.calls.sum(), t.refused.sum(), t.dead.sum(),
                    r == null ? null : r.total().toMillis() + " ms",
                    (t.firstOutcome == null ? "" : t.firstOutcome + ", retried: ") + (r == null ? "-" : r.outcome()));
        }
        out.print(table);
        out.printf("calls made: %d; refused cleanly as finalizing: %d; calls against dead interpreters: %d%n",
                calls, refused, dead);
        failures.forEach(f -> out.println("worker failed: " + f));
        boolean held = dead == 0 && failures.isEmpty();
        out.println(held ? "contract held: no call ran against a finalizing or finalized interpreter"
                : "CONTRACT BROKEN: see the DEAD column and worker failures above");
        return held;
    }
}
