package dev.vigil.it.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The soak's OSGi variant (issue 13, DESIGN.md §5, P4): in Apache Felix with SCR, workers cycle
 * guards, views and ensureFromView/release through the services while a lane creates and shuts
 * down interpreters, and a chaos thread stops and restarts the policy bundles and the guards
 * bundle at random. Checked all along: a guard or token never coexists with a finalizing or
 * finalized interpreter (G3, T3); every shutdown ends within its bound, an abort leaves the
 * interpreter RUNNING (F6) and a retry completes — a guard taken through a guards bundle that
 * then stopped still releases its hold when closed, or daemon-hang would wait for ever; at the
 * end the framework (and so the runtime) stops cleanly. Prints operations per second, shutdowns
 * survived and bundle restarts. The short variant runs in every build
 * ({@code -Dvigil.osgi.soak.millis}, default 15 s); the long one is tagged {@code stress}.
 */
@SuppressWarnings("try")
class FelixSoakTest {

    private static final Duration SHORT_RUN = Duration.ofMillis(Long.getLong("vigil.osgi.soak.millis", 15_000));
    private static final Duration LONG_RUN = Duration.ofMillis(Long.getLong("vigil.soak.millis", 600_000));
    private static final Duration BOUND = OsgiContainer.TIMEOUT;
    private static final List<String> CHAOS = List.of("dev.vigil.policy.daemon-hang", "dev.vigil.policy.fail-fast",
            "dev.vigil.policy.timed-interrupt", "dev.vigil.guards");
    private static final int WORKERS = 3;

    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Target> target = new AtomicReference<>();
    private final LongAdder ops = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder absent = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    private final LongAdder restarts = new LongAdder();
    private ErrCapture err;
    private OsgiContainer osgi;
    private ServiceTracker<InterpreterGuards, InterpreterGuards> guards;
    private ServiceTracker<ThreadStates, ThreadStates> threadStates;
    private volatile boolean stop;

    private record Target(Interpreter interpreter, InterpreterView view) {
    }

    @BeforeEach
    void startFramework(TestInfo test) throws Exception {
        err = ErrCapture.install();
        List<String> bundles = new ArrayList<>(OsgiContainer.RUNTIME);
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        osgi = OsgiContainer.start(OsgiContainer.storage(test.getTestMethod().orElseThrow().getName()),
                Map.of(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, OsgiContainer.API_FROM_HOST), bundles);
        osgi.configure("dev.vigil.policy.fail-fast", Map.of("grace", "500ms"));
        osgi.configure("dev.vigil.policy.timed-interrupt", Map.of("timeout", "300ms", "interruptGrace", "300ms"));
        guards = new ServiceTracker<>(osgi.context(), InterpreterGuards.class, null);
        guards.open();
        threadStates = new ServiceTracker<>(osgi.context(), ThreadStates.class, null);
        threadStates.open();
    }

    @AfterEach
    void stopFramework() {
        try {
            if (guards != null) {
                guards.close();
                threadStates.close();
            }
            if (osgi != null) {
                osgi.close();
            }
        } finally {
            err.close();
        }
    }

    @Test
    void soakInFelix_short() throws Exception {
        run(SHORT_RUN);
    }

    @Test
    @Tag("stress")
    @Timeout(value = 2, unit = TimeUnit.HOURS) // the module's default (60 s) is for the other tests
    void soakInFelix() throws Exception {
        run(LONG_RUN);
    }

    private void run(Duration length) throws Exception {
        long began = System.nanoTime();
        InterpreterRegistry registry = osgi.service(InterpreterRegistry.class);
        Policies policies = osgi.service(Policies.class);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            threads.add(start("soak-worker-" + i, this::work));
        }
        Thread chaos = start("soak-chaos", this::chaos);
        long deadline = System.nanoTime() + length.toNanos();
        try {
            for (int n = 0; System.nanoTime() - deadline < 0 && failures.isEmpty(); n++) {
                Interpreter i = registry.create("soak-" + n);
                Target t = new Target(i, waitForGuards().viewOf(i));
                target.set(t);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20 + ThreadLocalRandom.current().nextInt(30)));
                shutDown(registry, t);
            }
        } finally {
            stop = true;
            join(chaos);
            threads.forEach(this::join);
        }
        for (String name : CHAOS) {
            osgi.bundle(name).start(); // all back before the framework stops
        }
        policies.use("fail-fast");
        double seconds = (System.nanoTime() - began) / 1e9;
        System.out.printf("osgi soak (%s, %.0f s): %.0f ops/s (%d operations, %d refused, %d with a service absent);"
                        + " shutdowns survived: %d completed, %d aborted and retried; %d bundle restarts; violations: %d%n",
                Runtime.version(), seconds, (ops.sum() + refused.sum()) / seconds, ops.sum(), refused.sum(),
                absent.sum(), completed.sum(), aborted.sum(), restarts.sum(), failures.size());
        assertThat(failures).as("invariant violations").isEmpty();
        assertThat(completed.sum()).isPositive();
        assertThat(restarts.sum()).isPositive();
    }

    /** Shuts {@code t} down, retrying after aborts (F6), each within the bound. */
    private void shutDown(InterpreterRegistry registry, Target t) {
        long start = System.nanoTime();
        for (;;) {
            try {
                FinalizationReport r = registry.shutdown(t.interpreter());
                if (r.outcome() != FinalizationReport.Outcome.COMPLETED
                        || t.interpreter().state() != InterpreterState.FINALIZED) {
                    fail("F1: shutdown of " + t.interpreter().name() + " ended " + r.outcome());
                }
                completed.increment();
                return;
            } catch (FinalizationAbortedException e) {
                aborted.increment();
                if (t.interpreter().state() != InterpreterState.RUNNING) {
                    fail("F6: " + t.interpreter().name() + " is " + t.interpreter().state() + " after an abort");
                }
            }
            if (System.nanoTime() - start > BOUND.toNanos()) {
                fail("shutdown of " + t.interpreter().name() + " did not complete within " + BOUND.toMillis() + " ms");
                return;
            }
        }
    }

    private void work() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop) {
            Thread.interrupted(); // timed-interrupt interrupts holders
            Target t = target.get();
            InterpreterGuards g = guards.getService();
            ThreadStates ts = threadStates.getService();
            if (t == null || g == null || ts == null) {
                absent.increment();
                Thread.onSpinWait();
                continue;
            }
            try {
                if (random.nextBoolean()) {
                    Optional<InterpreterGuard> guard = g.fromView(t.view());
                    if (guard.isEmpty()) {
                        refused.increment();
                        continue;
                    }
                    try (InterpreterGuard held = guard.get()) {
                        check(t, "a guard");
                    }
                } else {
                    Optional<ThreadStateToken> token = ts.ensureFromView(t.view());
                    if (token.isEmpty()) {
                        refused.increment();
                        continue;
                    }
                    try (ThreadStateToken held = token.get()) {
                        check(t, "an ensureFromView token");
                    }
                }
                ops.increment();
            } catch (IllegalStateException e) {
                absent.increment(); // a service whose bundle is stopping refuses: the user's view of a restart
            } catch (RuntimeException | Error e) {
                fail("unexpected " + e + " on " + t.interpreter().name());
            }
        }
    }

    private void check(Target t, String what) {
        InterpreterState s = t.interpreter().state();
        if (s == InterpreterState.FINALIZING || s == InterpreterState.FINALIZED) {
            fail("G3/T3: " + t.interpreter().name() + " is " + s + " while " + what + " is open");
        }
    }

    /** Stops and restarts a policy bundle or the guards bundle at random (P4, §5). */
    private void chaos() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(250)));
            Bundle b = osgi.bundle(CHAOS.get(random.nextInt(CHAOS.size())));
            try {
                b.stop();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(50)));
                b.start();
                restarts.increment();
            } catch (BundleException | IllegalStateException e) {
                fail("restarting " + b.getSymbolicName() + ": " + e);
            }
        }
    }

    private InterpreterGuards waitForGuards() throws InterruptedException {
        InterpreterGuards g = guards.waitForService(BOUND.toMillis());
        assertThat(g).as("a guards service within %s", BOUND).isNotNull();
        return g;
    }

    private void fail(String what) {
        if (failures.size() < 20) {
            failures.add(what + " [" + Thread.currentThread().getName() + "]");
        }
    }

    private Thread start(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void join(Thread t) {
        try {
            t.join(BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            failures.add(t.getName() + " did not end within " + BOUND.toMillis() + " ms");
        }
    }
}
