package dev.vigil.policy.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import dev.vigil.guards.GuardsProviderImpl;
import dev.vigil.registry.RegistryKernelProvider;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.KernelConfig;
import dev.vigil.threadstate.ThreadStatesProviderImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A runtime under test with the tools to drive its shutdowns from the outside: shutdowns on
 * threads of their own, guard holders on threads of their own, late attachers, leaked guards,
 * and the notices the runtime printed. Every wait is bounded by {@link #BOUND}; every thread
 * it starts is a daemon thread, released and joined by {@link #close()}.
 *
 * <p>"Waiting" is observed, not guessed: a shutdown is waiting when its thread is parked with
 * the core's finalization as the blocker, a late attach when its thread is parked with the
 * registry as the blocker ({@link LockSupport#getBlocker}).
 */
@SuppressWarnings("try") // tokens and guards opened only to be held for the block's duration
public final class ShutdownHarness implements AutoCloseable {

    /** Scale factor for every bound, from the build ({@code vigil.test.timeoutFactor}). */
    public static final int FACTOR = Integer.getInteger("vigil.test.timeoutFactor", 1);
    /** The bound on any wait for something that should happen: generous, only a wedge reaches it. */
    public static final Duration BOUND = Duration.ofSeconds(10L * FACTOR);

    private static final String FINALIZATION = "dev.vigil.registry.Finalization";
    private static final String REGISTRY = "dev.vigil.registry.RegistryKernel";

    private final VigilRuntime runtime;
    private final Kernel kernel;
    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final List<Worker<?>> workers = new CopyOnWriteArrayList<>();
    private final List<Holder> holders = new CopyOnWriteArrayList<>();

    private ShutdownHarness(Vigil.Builder builder) {
        this.runtime = builder.notices(notices::add).build();
        this.kernel = null;
    }

    private ShutdownHarness(String policyName, FinalizationPolicy policy, Map<String, String> options,
            Properties systemProperties) {
        this.kernel = new RegistryKernelProvider().create(
                new KernelConfig(policyName, policy, options, notices::add, systemProperties));
        ThreadStates threadStates = new ThreadStatesProviderImpl().create(kernel);
        InterpreterGuards guards = new GuardsProviderImpl().create(kernel, threadStates);
        this.runtime = new KernelRuntime(kernel, guards, threadStates);
    }

    /** A runtime built by {@code builder} ({@code Vigil.builder()...}), its notices collected here. */
    public static ShutdownHarness of(Vigil.Builder builder) {
        return new ShutdownHarness(builder);
    }

    /**
     * A runtime assembled as a container does (KernelConfig and the three providers), for the
     * kernel's container API ({@link #kernel()}: install, uninstall, configure policies).
     */
    public static ShutdownHarness assembled(String policyName, Map<String, String> options,
            Properties systemProperties) {
        return new ShutdownHarness(policyName, null, options, systemProperties);
    }

    public VigilRuntime runtime() { return runtime; }
    public InterpreterRegistry registry() { return runtime.registry(); }
    public InterpreterGuards guards() { return runtime.guards(); }
    public ThreadStates threadStates() { return runtime.threadStates(); }
    public Policies policies() { return runtime.policies(); }
    public Interpreter main() { return runtime.registry().main(); }

    /** The kernel, for runtimes made by {@link #assembled}. */
    public Kernel kernel() {
        if (kernel == null) {
            throw new IllegalStateException("only an assembled harness exposes its kernel");
        }
        return kernel;
    }

    /** The notices printed so far (policy notices, printed reports, leak reports). */
    public List<String> notices() {
        return List.copyOf(notices);
    }

    /** Waits until a notice containing {@code text} was printed, and returns it. */
    public String awaitNotice(String text) {
        AtomicReference<String> found = new AtomicReference<>();
        await("a notice containing \"" + text + "\" in " + notices).atMost(BOUND).until(() -> {
            for (String n : notices) {
                if (n.contains(text)) {
                    found.set(n);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    // ---- shutdowns

    /** Starts {@code registry().shutdown(interpreter)} on a thread of its own. */
    public Shutdown startShutdown(Interpreter interpreter) {
        return new Shutdown(start("shutdown-" + interpreter.name(), () -> runtime.registry().shutdown(interpreter)));
    }

    /** Starts {@code registry().shutdown()} (main, and so all) on a thread of its own. */
    public Shutdown startShutdown() {
        return startShutdown(main());
    }

    /**
     * Starts a shutdown of main on a thread that first attaches and opens a guard of its own
     * (F5: the finalizing thread holds a guard, which waiting can never close).
     */
    public Shutdown startShutdownHoldingOwnGuard() {
        return new Shutdown(start("shutdown-holding-own-guard", () -> {
            try (ThreadStateToken token = runtime.threadStates().legacyEnsure();
                    InterpreterGuard own = runtime.guards().fromCurrent()) {
                return runtime.registry().shutdown();
            }
        }));
    }

    /** A shutdown running on a thread of its own. */
    public final class Shutdown {
        private final Worker<FinalizationReport> worker;

        private Shutdown(Worker<FinalizationReport> worker) {
            this.worker = worker;
        }

        public Thread thread() {
            return worker.thread;
        }

        /** Time since the shutdown was started. */
        public Duration elapsed() {
            return worker.elapsed();
        }

        /** Waits until the shutdown is parked waiting on guards or threads (F1 steps 2, 4). */
        public Shutdown awaitWaiting() {
            await("shutdown waiting (parked in the finalization)").atMost(BOUND)
                    .until(() -> isParkedIn(worker.thread, FINALIZATION) || worker.result.isDone());
            assertThat(worker.result).as("shutdown ended instead of waiting").isNotDone();
            return this;
        }

        /**
         * Waits until the shutdown is parked waiting with a deadline ({@code TIMED_WAITING}):
         * how a test sees that it re-decided from "wait for ever" to "wait until".
         */
        public Shutdown awaitWaitingWithDeadline() {
            await("shutdown waiting with a deadline").atMost(BOUND).until(() -> worker.result.isDone()
                    || isParkedIn(worker.thread, FINALIZATION) && worker.thread.getState() == Thread.State.TIMED_WAITING);
            assertThat(worker.result).as("shutdown ended instead of waiting").isNotDone();
            return this;
        }

        public boolean isDone() {
            return worker.result.isDone();
        }

        /** Asserts that the shutdown keeps waiting for {@code time} (no sleep: polled, bounded). */
        public void assertStillWaitingFor(Duration time) {
            await("shutdown still waiting").during(time).atMost(time.plus(BOUND))
                    .until(() -> !worker.result.isDone());
        }

        /** Waits for the shutdown to complete and returns its report. */
        public FinalizationReport awaitCompleted() {
            FinalizationReport report = worker.join();
            assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
            return report;
        }

        /** Waits for the shutdown to be aborted (F6) and returns the exception. */
        public FinalizationAbortedException awaitAborted() {
            Throwable t = worker.failure();
            assertThat(t).as("shutdown outcome").isInstanceOf(FinalizationAbortedException.class);
            FinalizationAbortedException e = (FinalizationAbortedException) t;
            assertThat(e.report().outcome()).isEqualTo(FinalizationReport.Outcome.ABORTED);
            return e;
        }

        /** How long the shutdown took, once it ended. */
        public Duration took() {
            worker.awaitDone();
            return worker.took;
        }
    }

    // ---- guard holders

    /** How a holder's thread answers an interrupt (timed-interrupt interrupts holders). */
    public enum HolderMode {
        /** Keeps the guard until released, whatever interrupts it gets. */
        STUBBORN,
        /** Closes the guard when interrupted, as well-behaved blocking code does. */
        COOPERATIVE
    }

    /** Opens a guard on {@code interpreter} from a thread of its own, which then waits. */
    public Holder holdGuard(Interpreter interpreter, HolderMode mode) {
        Holder h = new Holder(interpreter, mode);
        holders.add(h);
        h.awaitOpen();
        return h;
    }

    /** A thread holding a guard (the holder the report and timed-interrupt name). */
    public final class Holder {
        private final CountDownLatch opened = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long startNanos = System.nanoTime();
        private volatile long interruptedNanos = -1;
        private volatile InterpreterGuard guard;
        private final Thread thread;

        private Holder(Interpreter interpreter, HolderMode mode) {
            thread = new Thread(() -> run(interpreter, mode), "holder-" + interpreter.name());
            thread.setDaemon(true);
            thread.start();
        }

        private void run(Interpreter interpreter, HolderMode mode) {
            try {
                guard = runtime.guards().fromView(runtime.guards().viewOf(interpreter)).orElseThrow();
                opened.countDown();
                try {
                    for (;;) {
                        try {
                            if (release.await(BOUND.toMillis() * 3, TimeUnit.MILLISECONDS)) {
                                break;
                            }
                            throw new AssertionError("holder never released");
                        } catch (InterruptedException e) {
                            if (interruptedNanos < 0) {
                                interruptedNanos = System.nanoTime();
                            }
                            if (mode == HolderMode.COOPERATIVE) {
                                break;
                            }
                        }
                    }
                } finally {
                    guard.close();
                }
                done.complete(null);
            } catch (Throwable t) {
                opened.countDown();
                done.completeExceptionally(t);
            }
        }

        private void awaitOpen() {
            try {
                assertThat(opened.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("holder opened its guard").isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(done).as("holder failed to open its guard").isNotCompletedExceptionally();
        }

        public Thread thread() {
            return thread;
        }

        /** When the holder's thread was first interrupted, measured from when it was started. */
        public Optional<Duration> interruptedAfter() {
            long n = interruptedNanos;
            return n < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(n - startNanos));
        }

        /** Closes the guard (through the holder's thread) and joins it. */
        public void release() {
            release.countDown();
            join(done, "holder " + thread.getName());
            joinThread(thread);
        }

        /** Waits until the holder closed its guard on its own (after an interrupt). */
        public void awaitClosedOnItsOwn() {
            join(done, "holder " + thread.getName());
        }
    }

    // ---- late attaches

    /**
     * Starts a thread that attaches to main with {@code legacyEnsure()} (T7); past main's point
     * of no return this is a late attach (P2c). The result is the token's release or the
     * exception thrown, with whether the thread's interrupt status was set afterwards.
     */
    public LateAttacher startLateAttach() {
        AtomicReference<Boolean> interruptStatus = new AtomicReference<>();
        return new LateAttacher(start("late-attacher", () -> {
            try (ThreadStateToken token = runtime.threadStates().legacyEnsure()) {
                return "attached";
            } finally {
                interruptStatus.set(Thread.currentThread().isInterrupted());
            }
        }), interruptStatus);
    }

    /** A thread attaching late. */
    public final class LateAttacher {
        private final Worker<String> worker;
        private final AtomicReference<Boolean> interruptStatus;

        private LateAttacher(Worker<String> worker, AtomicReference<Boolean> interruptStatus) {
            this.worker = worker;
            this.interruptStatus = interruptStatus;
        }

        public Thread thread() {
            return worker.thread;
        }

        /** Waits until the thread is parked by the runtime (the policy said park). */
        public LateAttacher awaitParked() {
            await("late attach parked").atMost(BOUND)
                    .until(() -> isParkedIn(worker.thread, REGISTRY) || worker.result.isDone());
            assertThat(worker.result).as("late attach ended instead of parking").isNotDone();
            return this;
        }

        /** Whether the thread parks with a deadline ({@code TIMED_WAITING}) or for ever ({@code WAITING}). */
        public Thread.State parkState() {
            return worker.thread.getState();
        }

        public boolean isDone() {
            return worker.result.isDone();
        }

        /** Waits for the attach to end and returns what it threw. */
        public Throwable awaitFailure() {
            return worker.failure();
        }

        /** Whether the thread's interrupt status was set when the attach ended. */
        public boolean interruptStatusAfterwards() {
            worker.awaitDone();
            return Boolean.TRUE.equals(interruptStatus.get());
        }

        public Duration took() {
            worker.awaitDone();
            return worker.took;
        }

        public void assertStillParkedFor(Duration time) {
            await("late attach still parked").during(time).atMost(time.plus(BOUND))
                    .until(() -> !worker.result.isDone());
        }
    }

    // ---- leaks

    /**
     * Opens a guard on {@code interpreter} and drops it without closing it; then provokes
     * collections until the runtime reported the leak (P2d), and returns the notice.
     */
    public String leakGuardAndAwaitReport(Interpreter interpreter) {
        leakGuard(interpreter);
        return awaitLeakReport();
    }

    /** Opens a guard on {@code interpreter} and drops it without closing it (a leak, P2d). */
    public void leakGuard(Interpreter interpreter) {
        assertThat(runtime.guards().fromView(runtime.guards().viewOf(interpreter))).isPresent();
    }

    /** Provokes collections until the runtime reported a leaked guard, and returns the notice. */
    public String awaitLeakReport() {
        AtomicReference<String> found = new AtomicReference<>();
        await("leaked guard reported").atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            for (String n : notices) {
                if (n.contains("leaked guard")) {
                    found.set(n);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    // ---- threads

    private <T> Worker<T> start(String name, Supplier<T> task) {
        Worker<T> w = new Worker<>(name, task);
        workers.add(w);
        return w;
    }

    private static final class Worker<T> {
        final Thread thread;
        final CompletableFuture<T> result = new CompletableFuture<>();
        final long startNanos = System.nanoTime();
        volatile Duration took;

        Worker(String name, Supplier<T> task) {
            thread = new Thread(() -> {
                try {
                    T value = task.get();
                    took = Duration.ofNanos(System.nanoTime() - startNanos);
                    result.complete(value);
                } catch (Throwable t) {
                    took = Duration.ofNanos(System.nanoTime() - startNanos);
                    result.completeExceptionally(t);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        void awaitDone() {
            try {
                result.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // done
            } catch (TimeoutException e) {
                throw new AssertionError(thread.getName() + " did not end within " + BOUND + "; stack: "
                        + stack(thread), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        T join() {
            return ShutdownHarness.join(result, thread.getName());
        }

        Throwable failure() {
            awaitDone();
            try {
                T value = result.getNow(null);
                throw new AssertionError(thread.getName() + " returned " + value + " instead of failing");
            } catch (java.util.concurrent.CompletionException e) {
                return e.getCause();
            }
        }
    }

    private static <T> T join(CompletableFuture<T> f, String what) {
        try {
            return f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not end within " + BOUND, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void joinThread(Thread t) {
        try {
            t.join(BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(t.isAlive()).as("thread " + t.getName() + " ended").isFalse();
    }

    private static boolean isParkedIn(Thread t, String blockerClass) {
        Object blocker = LockSupport.getBlocker(t);
        return blocker != null && blocker.getClass().getName().equals(blockerClass)
                && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    private static String stack(Thread t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            b.append(System.lineSeparator()).append("    at ").append(e);
        }
        return b.toString();
    }

    /**
     * Releases every holder, then joins every thread this harness started. A test that left a
     * shutdown waiting or a late attach parked for ever must have unstuck it first (by closing
     * the guards or swapping the policy): a thread still alive here fails the test.
     */
    @Override
    public void close() {
        List<AssertionError> errors = new ArrayList<>();
        for (Holder h : holders) {
            h.release.countDown();
        }
        for (Holder h : holders) {
            joinQuietly(h.thread, errors);
        }
        for (Worker<?> w : workers) {
            joinQuietly(w.thread, errors);
        }
        if (!errors.isEmpty()) {
            AssertionError e = errors.get(0);
            errors.subList(1, errors.size()).forEach(e::addSuppressed);
            throw e;
        }
    }

    private static void joinQuietly(Thread t, List<AssertionError> errors) {
        try {
            t.join(BOUND.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            errors.add(new AssertionError("thread " + t.getName() + " still alive after the test:" + stack(t)));
            t.interrupt();
        }
    }

    /** A VigilRuntime over an assembled kernel, as Vigil.builder() makes one. */
    private record KernelRuntime(Kernel kernel, InterpreterGuards guards, ThreadStates threadStates)
            implements VigilRuntime {
        @Override public InterpreterRegistry registry() { return kernel.registry(); }
        @Override public Policies policies() { return kernel.policies(); }
        @Override public boolean interrupt() { return kernel.interrupt(); }

        @Override
        public void close() {
            kernel.registry().shutdown();
            kernel.dispose();
        }
    }
}
