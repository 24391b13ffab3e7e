package dev.vigil.benchmarks;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.VigilRuntime;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Bytes per guard, view, thread state and interpreter (JOL), at diagnostics {@code off},
 * {@code simple} and {@code full}, and the scale row of DESIGN.md section 4: 10,000
 * interpreters, 1,000 attached threads and 100,000 open views in one runtime.
 *
 * <p>Method: everything reachable from the runtime and from the objects held is measured
 * with {@link GraphLayout#parseInstance(Object...)}, before and after making {@code n} more
 * of a thing; the difference over {@code n} is the cost of one, including its share of the
 * runtime's tables that grow with it (a guard's entry in the open-guard set, a thread's
 * {@code ThreadLocal} entry). Shared objects (the runtime, the interpreter, the JDK's
 * cleaner) are in both graphs and cancel out.
 *
 * <p>Run: {@code java -Djdk.attach.allowAttachSelf=true -XX:+IgnoreUnrecognizedVMOptions
 * -XX:+EnableDynamicAgentLoading -cp benchmarks/target/benchmarks.jar dev.vigil.benchmarks.Footprint}
 * (TOOLCHAIN.md pitfall 13). Arguments: none, or {@code per-unit} or {@code scale} alone.
 */
public final class Footprint {

    private static final int UNITS = 1_000;
    private static final int SCALE_INTERPRETERS = 10_000;
    private static final int SCALE_THREADS = 1_000;
    private static final int SCALE_VIEWS = 100_000;
    private static final long TIMEOUT_SECONDS = 60;

    private Footprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        String what = args.length == 0 ? "all" : args[0];
        System.out.println(VM.current().details());
        if (what.equals("all") || what.equals("per-unit")) {
            System.out.println("| diagnostics | guard (B) | view (B) | thread state (B) | interpreter (B) |");
            System.out.println("|---|---|---|---|---|");
            for (String level : new String[] {"off", "simple", "full"}) {
                perUnit(level);
            }
            System.out.println();
        }
        if (what.equals("all") || what.equals("scale")) {
            for (String level : new String[] {"off", "simple"}) {
                scale(level);
            }
        }
    }

    /** One line of the per-unit table at {@code level}. */
    private static void perUnit(String level) throws InterruptedException {
        VigilRuntime rt = Runtimes.build(level);
        Interpreter sub = rt.registry().create("footprint");
        InterpreterView view = rt.guards().viewOf(sub);
        InterpreterGuard held = rt.guards().fromView(view).orElseThrow();

        long guard = perOne(rt, i -> rt.guards().fromView(view).orElseThrow());
        long aView = perOne(rt, i -> rt.guards().viewOf(sub));
        long interpreter = perOne(rt, i -> rt.registry().create("footprint-" + i));

        AttachedThreads threads = new AttachedThreads(UNITS, i -> () -> rt.threadStates().ensure(held));
        long before = GraphLayout.parseInstance(rt, held, threads.threads).totalSize();
        threads.attach();
        long after = GraphLayout.parseInstance(rt, held, threads.threads).totalSize();
        threads.release();
        long threadState = (after - before) / UNITS;

        System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d |%n", level, guard, aView, threadState, interpreter);
        held.close();
        view.close();
        rt.close();
    }

    /**
     * The bytes one more object made by {@code make} adds to what the runtime and the held
     * objects reach. The first is made before measuring, so that lazily made shared tables
     * are in both graphs. The objects stay open: closing is left to the runtime's shutdown,
     * except for guards, which the caller's {@code rt.close()} would wait for, so they are
     * closed here.
     */
    private static long perOne(VigilRuntime rt, IntFunction<Object> make) {
        Object[] held = new Object[UNITS + 1];
        held[0] = make.apply(0);
        long before = GraphLayout.parseInstance(rt, held).totalSize();
        for (int i = 1; i <= UNITS; i++) {
            held[i] = make.apply(i);
        }
        long after = GraphLayout.parseInstance(rt, held).totalSize();
        for (Object o : held) {
            if (o instanceof InterpreterGuard g) {
                g.close();
            }
        }
        return (after - before) / UNITS;
    }

    /** The scale row: 10,000 interpreters, 1,000 attached threads, 100,000 open views. */
    private static void scale(String level) throws InterruptedException {
        VigilRuntime rt = Runtimes.build(level);
        Interpreter[] interpreters = new Interpreter[SCALE_INTERPRETERS];
        InterpreterView[] views = new InterpreterView[SCALE_VIEWS];
        AttachedThreads threads = new AttachedThreads(SCALE_THREADS, i -> () ->
                rt.threadStates().ensureFromView(views[i % SCALE_INTERPRETERS]).orElseThrow());
        long empty = GraphLayout.parseInstance(rt, interpreters, views, threads.threads).totalSize();

        long c0 = System.nanoTime();
        for (int i = 0; i < SCALE_INTERPRETERS; i++) {
            interpreters[i] = rt.registry().create("scale-" + i);
        }
        long creating = System.nanoTime() - c0;
        long withInterpreters = GraphLayout.parseInstance(rt, interpreters, views, threads.threads).totalSize();
        long v0 = System.nanoTime();
        for (int i = 0; i < SCALE_VIEWS; i++) {
            views[i] = rt.guards().viewOf(interpreters[i % SCALE_INTERPRETERS]);
        }
        long viewing = System.nanoTime() - v0;
        long withViews = GraphLayout.parseInstance(rt, interpreters, views, threads.threads).totalSize();
        long a0 = System.nanoTime();
        threads.attach();
        long attaching = System.nanoTime() - a0;
        long withThreads = GraphLayout.parseInstance(rt, interpreters, views, threads.threads).totalSize();

        threads.release();
        for (InterpreterView v : views) {
            v.close();
        }
        long s0 = System.nanoTime();
        rt.close(); // finalizes every subinterpreter first (F3), then main
        long closed = System.nanoTime();

        System.out.printf(Locale.ROOT, "scale, diagnostics %s: %,d interpreters, %,d attached threads "
                        + "(ensureFromView, each holding its owned guard), %,d open views%n",
                level, SCALE_INTERPRETERS, SCALE_THREADS, SCALE_VIEWS);
        System.out.printf(Locale.ROOT, "  interpreters: %,d B (%,d B each)%n",
                withInterpreters - empty, (withInterpreters - empty) / SCALE_INTERPRETERS);
        System.out.printf(Locale.ROOT, "  views:        %,d B (%,d B each)%n",
                withViews - withInterpreters, (withViews - withInterpreters) / SCALE_VIEWS);
        System.out.printf(Locale.ROOT, "  threads:      %,d B (%,d B each: thread state and owned guard)%n",
                withThreads - withViews, (withThreads - withViews) / SCALE_THREADS);
        System.out.printf(Locale.ROOT, "  total Vigil:  %,d B%n", withThreads - empty);
        System.out.printf(Locale.ROOT, "  time: creating the interpreters %d ms, the views %d ms, attaching the threads "
                        + "%d ms; shutdown of all %d ms (measuring with JOL not included)%n%n",
                millis(creating), millis(viewing), millis(attaching), millis(closed - s0));
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * Platform threads that, on {@link #attach()}, each make one attachment and hold it until
     * {@link #release()}. They are started (and parked) at construction, so that the thread
     * objects themselves are in the "before" graph.
     */
    private static final class AttachedThreads {
        final Thread[] threads;
        private final CountDownLatch go = new CountDownLatch(1);
        private final CountDownLatch attached;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable failure;

        AttachedThreads(int n, IntFunction<Supplier<ThreadStateToken>> attach)
                throws InterruptedException {
            threads = new Thread[n];
            attached = new CountDownLatch(n);
            CountDownLatch started = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                Supplier<ThreadStateToken> how = attach.apply(i);
                threads[i] = new Thread(() -> {
                    try {
                        started.countDown();
                        await(go);
                        try (ThreadStateToken t = how.get()) {
                            attached.countDown();
                            await(done);
                        }
                    } catch (Throwable e) {
                        failure = e;
                        attached.countDown();
                    }
                }, "footprint-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            await(started);
        }

        void attach() throws InterruptedException {
            go.countDown();
            await(attached);
            if (failure != null) {
                throw new IllegalStateException("a thread failed to attach", failure);
            }
        }

        void release() throws InterruptedException {
            done.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            }
        }

        private static void await(CountDownLatch latch) throws InterruptedException {
            if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not within " + TIMEOUT_SECONDS + " s");
            }
        }
    }
}
