package dev.vigil.engine.polyglot;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A runtime under test with engine-backed interpreters, and holders: threads that open a guard,
 * attach and run a script until it ends. Every wait is bounded by {@link #BOUND}; close() shuts
 * the runtime down, closes the engine and joins every holder.
 */
final class EngineRuntime implements AutoCloseable {

    static final int FACTOR = Integer.getInteger("vigil.test.timeoutFactor", 1);
    /** The bound on a wait for something that should happen: only a wedge reaches it. */
    static final Duration BOUND = Duration.ofSeconds(20L * FACTOR);

    final List<String> notices = new CopyOnWriteArrayList<>();
    final VigilRuntime runtime;
    final PolyglotInterpreters engines;
    private final List<Holder> holders = new CopyOnWriteArrayList<>();

    EngineRuntime(String policy, String... options) {
        Vigil.Builder b = Vigil.builder().policy(policy).notices(notices::add);
        for (int i = 0; i < options.length; i += 2) {
            b.option(options[i], options[i + 1]);
        }
        runtime = b.build();
        engines = PolyglotInterpreters.create(runtime);
    }

    /** A thread that opens a guard of {@code interpreter}, attaches and evaluates {@code code}. */
    Holder hold(Interpreter interpreter, String sourceName, String code) {
        Holder h = new Holder(interpreter, sourceName, code);
        holders.add(h);
        h.thread.start();
        await(h.entered, "holder " + sourceName + " to attach");
        return h;
    }

    final class Holder {
        final Thread thread;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Holder(Interpreter interpreter, String sourceName, String code) {
            thread = new Thread(() -> {
                try (InterpreterView v = runtime.guards().viewOf(interpreter);
                        InterpreterGuard g = runtime.guards().fromView(v).orElseThrow();
                        ThreadStateToken t = runtime.threadStates().ensure(g)) {
                    entered.countDown();
                    engines.eval(sourceName, code);
                } catch (Throwable e) {
                    failure.set(e);
                } finally {
                    entered.countDown();
                    done.countDown();
                }
            }, "holder-" + sourceName);
            thread.setDaemon(true);
        }

        Throwable awaitFailure() {
            EngineRuntime.await(done, "holder " + thread.getName() + " to end");
            return failure.get();
        }
    }

    /**
     * Runs {@code rounds} evaluations of {@code code} in {@code interpreter} on each of
     * {@code threads} threads, half through a guard from a view and {@code ensure} (then the
     * attached {@code eval}), half through {@code engines.eval(interpreter, ...)}
     * (ensureFromView); fails on the first failure of any.
     */
    void evalFromManyThreads(Interpreter interpreter, String code, int threads, int rounds) throws Exception {
        inParallel(threads, i -> () -> {
            for (int k = 0; k < rounds; k++) {
                if (i % 2 == 0) {
                    try (InterpreterView v = runtime.guards().viewOf(interpreter);
                            InterpreterGuard g = runtime.guards().fromView(v).orElseThrow();
                            ThreadStateToken t = runtime.threadStates().ensure(g)) {
                        engines.eval(code);
                    }
                } else {
                    engines.eval(interpreter, "many", code);
                }
            }
            return null;
        });
    }

    /** Runs {@code task.apply(i)} for i in [0, threads) on threads of their own, all started
     * together, and waits for all (bounded); rethrows the first failure. */
    static void inParallel(int threads, IntFunction<Callable<?>> task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<?> body = task.apply(i);
                fs.add(pool.submit(() -> {
                    start.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    return body.call();
                }));
            }
            for (Future<?> f : fs) {
                f.get(BOUND.toMillis() * 3, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + BOUND + " waiting for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Holder h : holders) {
            h.thread.interrupt();
        }
        engines.close(); // cancels what still runs
        try {
            runtime.policies().use("fail-fast");
            runtime.close();
        } catch (RuntimeException e) {
            // a test left the runtime unable to finalize
        } finally {
            for (Holder h : holders) {
                h.thread.join(BOUND.toMillis());
            }
        }
    }
}
