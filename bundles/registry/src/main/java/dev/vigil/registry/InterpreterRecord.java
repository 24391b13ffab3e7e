package dev.vigil.registry;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.WaitCycle;
import dev.vigil.spi.kernel.EngineBinding;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One interpreter: its handle ({@link Interpreter}) and its lifecycle
 * ({@link InterpreterLifecycle}), which holds the guard word.
 */
final class InterpreterRecord implements Interpreter, InterpreterLifecycle {

    /*
     * Implementation overview
     *
     * Everything that can hold finalization off lives in ONE atomic long, the guard word, so
     * that the point of no return (F1 step 5) is one compare-and-set, as in CPython's final
     * design and the JDK's shared memory sessions:
     *
     *   bits  0..31  open guards                      (GUARD_UNIT)
     *   bits 32..55  running non-daemon threads (H1)  (THREAD_UNIT)
     *   bit  58      HOOKS: atexit hooks registered (or, on main, subinterpreters created)
     *                since the finalizer last drained them
     *   bit  60      WAITING: a finalizer is parked waiting for a count to reach zero
     *   bit  61      SEALING: the finalizer is deciding the point of no return (ledger guards)
     *   bit  62      CLOSED: past the point of no return; never cleared
     *
     * Guard acquire is a single getAndAdd(+1): if the previous word had CLOSED the add is
     * undone and the acquire fails. The finalizer passes the point of no return only by
     * CAS(w, CLOSED) from a word w with no guard, thread or HOOKS bits (BUSY). Either the
     * acquirer's add is ordered first, and the CAS fails (the loop goes round again), or the
     * CAS is, and the acquirer sees CLOSED: never both (G3, G5; jcstress GuardVsPointOfNoReturn).
     * After CLOSED, failed acquirers may leave transient counts in the word; nothing reads
     * counts of a CLOSED word.
     *
     * Ledger guards (diagnostics simple and full; see InterpreterLifecycle) are not on the word:
     * the guards bundle counts each in its holder thread's ledger, so that opening and closing
     * one writes nothing shared. They are a Dekker pair with the word. The opener publishes the
     * guard (volatile write), then reads the word (confirmLedgerGuard): CLOSED refuses it,
     * SEALING makes it spin until the finalizer has decided. The point of no return becomes
     * three steps, all by the finalizer: CAS(w, w | SEALING) from a word w with nothing BUSY;
     * count the directories' ledger guards; CAS(w | SEALING, CLOSED) if they were none, else
     * clear SEALING and wait again. An opener ordered before the first CAS is seen by the count
     * (its publication precedes its read of the word, which precedes the CAS); one ordered
     * after sees SEALING and waits for the outcome, and succeeds only if SEALING is cleared
     * without CLOSED. While SEALING is set, no ledger guard is confirmed, so the ledger counts
     * can only fall during the count (closes; unconfirmed publications are refused later): a
     * count of zero means none was open when it ended, and the final CAS makes that the point
     * of no return. A word guard or a HOOKS bit arriving meanwhile changes the word and fails
     * the final CAS, as before (jcstress TrackedGuardVsPointOfNoReturn, OwnedGuardVsPointOfNoReturn).
     *
     * No lost wake-up (F2). The finalizer publishes itself in `waiter`, then sets WAITING by
     * CAS, then re-reads the word before every park. A release is a getAndAdd(-1); if the
     * word it replaced had WAITING and the count it drops reaches zero, it unparks `waiter`.
     * Both sides update the same word, so they are totally ordered: if the release comes
     * first, the finalizer's re-read sees zero; if the WAITING CAS comes first, the release
     * sees WAITING (and, by the CAS's release semantics, `waiter`) and unparks — a permit
     * given before park() makes park() return. A thread exit unparks whenever WAITING is set,
     * not only at zero: a shutdown called from one of the interpreter's own non-daemon threads
     * waits for the count to drop to one (itself). Exits are rare; the finalizer re-checks. This is the race found in review of CPython's
     * implementation (check, then reset-and-wait on an event), closed by keeping the check
     * and the wait registration on one word (jcstress LastCloseVsFinalizerWait).
     * A ledger guard's close unpublishes it (CAS or volatile write) and then reads the word,
     * unparking `waiter` if WAITING is set; the finalizer sets WAITING (an atomic update) and
     * then counts: a Dekker pair again, so either the count misses nothing or the close sees
     * WAITING. A ledger close cannot know whether it was the last, so it unparks whenever
     * WAITING is set, and the finalizer counts again.
     *
     * Hooks: atExit pushes the hook, then sets HOOKS (failing, and removing the hook, if
     * CLOSED). The finalizer clears HOOKS before draining, so a hook pushed during a drain
     * either is drained or leaves HOOKS set and makes the CAS fail: none is ever lost. A
     * registration that finds CLOSED fails only if its hook is still queued; if a drain took
     * it first, it has already run (drains run their hooks before the point of no return), so
     * the registration succeeded: a hook never runs after atExit threw.
     *
     * Subinterpreters (F3): creating one holds a guard of main and, before releasing it, sets
     * main's HOOKS. Main's finalizer finalizes the subinterpreters it finds after each drain,
     * so one created meanwhile is either found there or makes the CAS fail: none survives
     * main's point of no return, and a subinterpreter's abort aborts main cleanly (F6).
     *
     * Finalization attempts (F4): `attempt` holds the future of the running shutdown;
     * concurrent callers join it, except those it waits for — its own thread (a listener or
     * hook) and the interpreter's running non-daemon threads — which fail instead. It is cleared when an attempt aborts (F6), so a later call
     * starts afresh; a completed attempt stays, and later calls return its report.
     */

    static final long GUARD_UNIT = 1L;
    static final long GUARD_MASK = 0xFFFF_FFFFL;
    static final long THREAD_UNIT = 1L << 32;
    static final long THREAD_MASK = 0xFF_FFFFL << 32;
    static final long HOOKS = 1L << 58;
    static final long WAITING = 1L << 60;
    static final long SEALING = 1L << 61;
    static final long CLOSED = 1L << 62;
    static final long BUSY = GUARD_MASK | THREAD_MASK | HOOKS;

    private final RegistryKernel kernel;
    private final long id;
    private final String name;
    private final boolean main;

    /**
     * The guard word, in a cache line of its own: every guard acquire and release of every
     * thread writes it, while the fields of this record are read on the same paths (false
     * sharing measured: 2-thread guard open+close 1.76x an AtomicLong pair with the word here,
     * the word alone 1.03x). See the overview; accessed through WORD.
     */
    private final GuardWordCell cell = new GuardWordCell();
    /** The finalizer parked on the word, published before WAITING is set. */
    private volatile Thread waiter;
    private volatile InterpreterState state = InterpreterState.RUNNING;

    private final ConcurrentLinkedDeque<Callback> hooks = new ConcurrentLinkedDeque<>();
    private final List<Callback> finalizationListeners = new CopyOnWriteArrayList<>();
    /** Running non-daemon interpreter threads, for the report and for interrupting holders. */
    final Set<Thread> liveThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadNumbers = new AtomicInteger();
    private volatile CompletableFuture<FinalizationReport> attempt;
    /** The thread running the current attempt; a call from it would wait for itself. */
    private volatile Thread finalizer;
    /** The engine bound (DESIGN.md §6), else null; ENGINE_TAKEN once the point of no return took it. */
    private volatile EngineBinding engine;

    InterpreterRecord(RegistryKernel kernel, long id, String name, boolean main) {
        this.kernel = kernel;
        this.id = id;
        this.name = name;
        this.main = main;
    }

    // ---- Interpreter

    @Override public long id() { return id; }
    @Override public String name() { return name; }
    @Override public boolean isMain() { return main; }
    @Override public InterpreterState state() { return state; }

    @Override
    public ThreadFactory threadFactory(boolean daemon) {
        return task -> newThread(task, daemon);
    }

    @Override
    public String toString() {
        return (main ? "main interpreter " : "interpreter ") + name + " (#" + id + ", " + state + ")";
    }

    // ---- InterpreterLifecycle: the guard word

    @Override public Interpreter interpreter() { return this; }
    @Override public long runtimeId() { return kernel.runtimeId(); }

    @Override
    public boolean tryAcquireGuard() {
        long prev = (long) WORD.getAndAdd(cell, GUARD_UNIT);
        if ((prev & CLOSED) == 0) {
            return true;
        }
        WORD.getAndAdd(cell, -GUARD_UNIT);
        return false;
    }

    @Override
    public void releaseGuard() {
        long prev = (long) WORD.getAndAdd(cell, -GUARD_UNIT);
        if ((prev & WAITING) != 0 && (prev & GUARD_MASK) == GUARD_UNIT) {
            LockSupport.unpark(waiter);
        }
    }

    @Override
    public boolean confirmLedgerGuard() {
        long w;
        for (int spins = 0; ((w = (long) WORD.getVolatile(cell)) & (SEALING | CLOSED)) == SEALING; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the finalizer's thread was descheduled in the middle of its decision
            }
        }
        return (w & CLOSED) == 0;
    }

    @Override
    public void ledgerGuardReleased() {
        if (((long) WORD.getVolatile(cell) & WAITING) != 0) {
            LockSupport.unpark(waiter);
        }
    }

    @Override
    public boolean isPastPointOfNoReturn() {
        return ((long) WORD.getVolatile(cell) & CLOSED) != 0;
    }

    @Override
    public int openGuardCount() {
        long w = (long) WORD.getVolatile(cell);
        return (w & CLOSED) != 0 ? 0 : (int) (w & GUARD_MASK) + kernel.ledgerGuards(id);
    }

    /** Whether no guard is open: none on the word (of {@code w}, read before) and none in a ledger. */
    boolean noGuardOpen(long w) {
        return (w & GUARD_MASK) == 0 && kernel.ledgerGuards(id) == 0;
    }

    @Override
    public void lateAttach() {
        kernel.lateAttach(this);
    }

    // ---- non-daemon threads (H1)

    /** Counts a non-daemon thread that starts running; false past the point of no return. */
    private boolean enterThread() {
        long prev = (long) WORD.getAndAdd(cell, THREAD_UNIT);
        if ((prev & CLOSED) == 0) {
            return true;
        }
        WORD.getAndAdd(cell, -THREAD_UNIT);
        return false;
    }

    private void exitThread() {
        long prev = (long) WORD.getAndAdd(cell, -THREAD_UNIT);
        if ((prev & WAITING) != 0) {
            LockSupport.unpark(waiter); // any exit: a finalizer on an own thread waits for 1, not 0
        }
    }

    int runningThreadCount() {
        long w = (long) WORD.getVolatile(cell);
        return (w & CLOSED) != 0 ? 0 : (int) ((w & THREAD_MASK) >>> 32);
    }

    private Thread newThread(Runnable task, boolean daemon) {
        java.util.Objects.requireNonNull(task, "task");
        if (isPastPointOfNoReturn()) {
            return null; // ThreadFactory's way of refusing
        }
        return new InterpreterThread(task, daemon,
                "vigil-" + name + "-" + (daemon ? "daemon-" : "") + threadNumbers.incrementAndGet());
    }

    /**
     * A thread born attached (H1). A non-daemon one is counted on the guard word when it is
     * started, not when its body first runs — as CPython counts a thread at Thread.start() —
     * so that a shutdown beginning after start() returned joins it (F1 step 2) before it runs
     * the atexit hooks (step 3). Started past the point of no return, it is not counted and
     * its body is a late attach (P2c).
     */
    private final class InterpreterThread extends Thread {
        private final Runnable task;
        private final boolean daemon;
        /** Written by start() before the thread runs; start() happens-before run(). */
        private boolean counted;

        InterpreterThread(Runnable task, boolean daemon, String name) {
            super(name);
            this.task = task;
            this.daemon = daemon;
            setDaemon(daemon);
        }

        @Override
        public void start() {
            boolean countedNow = !daemon && getState() == State.NEW && enterThread();
            if (countedNow) {
                counted = true;
                liveThreads.add(this);
            }
            try {
                super.start();
            } catch (RuntimeException | Error e) {
                if (countedNow) {
                    counted = false;
                    liveThreads.remove(this);
                    exitThread();
                }
                throw e;
            }
        }

        @Override
        public void run() {
            if (daemon) {
                kernel.threadBinder().runAttached(InterpreterRecord.this, task);
                return;
            }
            if (!counted) {
                lateAttach();
                return;
            }
            try {
                kernel.threadBinder().runAttached(InterpreterRecord.this, task);
            } finally {
                liveThreads.remove(this);
                exitThread();
            }
        }
    }

    /** Whether the calling thread is one of this interpreter's running non-daemon threads. */
    boolean isOwnThread(Thread t) {
        return liveThreads.contains(t);
    }

    // ---- hooks and listeners (F1 steps 1 and 3)

    /**
     * An atexit hook or finalization-requested listener with the name reports give it: its
     * own {@code toString()} if its class has one, else where it was registered (a lambda's
     * class name says nothing to an operator).
     */
    record Callback(Runnable task, String name) {
        static Callback of(String kind, Runnable task) {
            String name;
            try {
                name = task.getClass().getMethod("toString").getDeclaringClass() != Object.class
                        ? kind + " " + task
                        : kind + " registered at " + registrationSite();
            } catch (NoSuchMethodException | SecurityException e) {
                name = kind + " " + task.getClass().getName();
            }
            return new Callback(task, name);
        }

        private static String registrationSite() {
            return StackWalker.getInstance().walk(frames -> frames
                    .filter(f -> !f.getClassName().startsWith("dev.vigil.registry.")
                            && !f.getClassName().startsWith("dev.vigil.cdi."))
                    .findFirst().map(f -> f.toStackTraceElement().toString()).orElse("?"));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    void addAtExit(Runnable task) {
        Callback hook = Callback.of("atexit hook", task);
        hooks.push(hook);
        for (;;) {
            long w = (long) WORD.getVolatile(cell);
            if ((w & CLOSED) != 0) {
                if (!hooks.removeFirstOccurrence(hook)) {
                    return; // a drain before the point of no return took it: it has run, so it was registered
                }
                throw finalizingException("register an atexit hook");
            }
            if ((w & HOOKS) != 0 || WORD.compareAndSet(cell, w, w | HOOKS)) {
                return;
            }
        }
    }

    void addFinalizationListener(Runnable listener) {
        if (isPastPointOfNoReturn()) {
            throw finalizingException("register a finalization-requested listener");
        }
        finalizationListeners.add(Callback.of("finalization-requested listener", listener));
    }

    List<Callback> finalizationListeners() {
        return finalizationListeners;
    }

    /** Clears HOOKS and takes the hooks registered so far, last registered first (main's
     * finalizer then also looks for subinterpreters created so far). */
    List<Callback> drainHooks() {
        WORD.getAndBitwiseAnd(cell, ~HOOKS);
        List<Callback> drained = new ArrayList<>();
        for (Callback h; (h = hooks.pollFirst()) != null; ) {
            drained.add(h);
        }
        return drained;
    }

    /**
     * Puts back hooks an aborted drain did not run ({@code notRun}, in drained order), so that
     * the next drain returns them first and in the same order, and sets HOOKS. Only the
     * finalizer calls this, before the point of no return.
     */
    void restoreHooks(List<Callback> notRun) {
        for (int i = notRun.size() - 1; i >= 0; i--) {
            hooks.push(notRun.get(i));
        }
        WORD.getAndBitwiseOr(cell, HOOKS);
    }

    /** On main: a subinterpreter was created (called under a guard of main); see the overview. */
    void subinterpreterCreated() {
        WORD.getAndBitwiseOr(cell, HOOKS);
    }

    // ---- the finalizer's side of the word

    /** Publishes the calling thread as the waiter and sets WAITING. Only the finalizer calls this. */
    void beginWaiting() {
        waiter = Thread.currentThread();
        WORD.getAndBitwiseOr(cell, WAITING);
    }

    void endWaiting() {
        WORD.getAndBitwiseAnd(cell, ~WAITING);
        waiter = null;
    }

    /** The guard word, for the finalizer's checks. */
    long word() {
        return (long) WORD.getVolatile(cell);
    }

    /**
     * The point of no return (F1 step 5): from a word with nothing but the finalizer's own
     * thread count ({@code ownThreads}), seal it, count the ledger guards, and CAS it to CLOSED
     * if there were none; see the overview. Only the finalizer calls this.
     */
    boolean tryPassPointOfNoReturn(long ownThreads) {
        long w = (long) WORD.getVolatile(cell);
        if ((w & BUSY) != ownThreads || !WORD.compareAndSet(cell, w, w | SEALING)) {
            return false;
        }
        boolean passed = false;
        try {
            passed = kernel.ledgerGuards(id) == 0 && WORD.compareAndSet(cell, w | SEALING, CLOSED | ownThreads);
        } finally {
            if (!passed) {
                WORD.getAndBitwiseAnd(cell, ~SEALING);
            }
        }
        return passed;
    }

    void state(InterpreterState s) {
        state = s;
    }

    // ---- finalization attempts (F4, F6)

    FinalizationReport shutdown() {
        CompletableFuture<FinalizationReport> mine = new CompletableFuture<>();
        CompletableFuture<FinalizationReport> running;
        for (;;) {
            running = attempt;
            if (running != null) {
                break;
            }
            if (ATTEMPT.compareAndSet(this, null, mine)) {
                running = null;
                break;
            }
        }
        if (running != null) {
            Thread me = Thread.currentThread();
            if (!running.isDone() && finalizer == me) {
                throw new IllegalStateException("shutdown of " + this + " called from its own finalization"
                        + " (a listener or hook on the finalizing thread); it would wait for itself");
            }
            if (!running.isDone() && isOwnThread(me)) {
                throw new IllegalStateException("shutdown of " + this + " called from its non-daemon thread \""
                        + me.getName() + "\" while another thread finalizes it, which waits for this thread"
                        + " to end (H1); it would wait for itself");
            }
            return joinUnlessCycle(running);
        }
        finalizer = Thread.currentThread();
        try {
            FinalizationReport report = new Finalization(kernel, this).run();
            mine.complete(report);
            return report;
        } catch (FinalizationAbortedException e) {
            finalizer = null;
            attempt = null; // a later call may retry (F6)
            mine.completeExceptionally(e);
            throw e;
        } catch (RuntimeException | Error e) {
            finalizer = null;
            attempt = null;
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Joins the running attempt (F4) as a wait of the wait-for graph: refused, with the cycle
     * named, if the attempt's thread waits (through any chain of waits) on the caller — a hook
     * or listener of another shutdown calling this one, say — since then the join could never
     * end (DESIGN.md §5). The cycle is found by whichever wait closes it: this join, at once,
     * or a wait of the cycle that starts after it, which then refuses this join through
     * {@link WaitGraph.Node#cycleFound()} (hooks run on a thread of their own, so a hook's
     * join may come before its finalizer's wait on it).
     */
    private FinalizationReport joinUnlessCycle(CompletableFuture<FinalizationReport> running) {
        Thread runner;
        while ((runner = finalizer) == null && !running.isDone()) {
            Thread.onSpinWait(); // the attempt's thread publishes itself right after taking the attempt
        }
        if (running.isDone()) {
            return join(running);
        }
        Thread waitedOn = runner;
        CompletableFuture<Optional<WaitCycle>> refused = new CompletableFuture<>();
        WaitGraph.Node node = new WaitGraph.Node() {
            @Override WaitCycle.WaitKind kind() { return WaitCycle.WaitKind.JOINS_SHUTDOWN; }
            @Override InterpreterRecord interpreter() { return InterpreterRecord.this; }
            @Override Map<Long, List<GuardInfo>> waitsOn() {
                return running.isDone() ? Map.of() : Map.of(waitedOn.getId(), List.of());
            }
            @Override void cycleFound() {
                refused.complete(WaitGraph.find(this));
            }
        };
        try {
            Optional<WaitCycle> cycle = WaitGraph.enter(node);
            if (cycle.isEmpty()) {
                try {
                    CompletableFuture.anyOf(running, refused).join();
                } catch (CompletionException e) {
                    // the attempt failed: join(running) below rethrows its failure
                }
                cycle = running.isDone() ? Optional.empty() : refused.join();
            }
            if (!running.isDone()) {
                String text = "shutdown of " + this + " refused: thread \"" + node.thread.getName()
                        + "\" would wait for the thread that runs it, which waits on it"
                        + cycle.map(c -> ": " + c).orElse("");
                kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, "[vigil] " + name + ": " + text);
                throw new IllegalStateException(text);
            }
            return join(running);
        } finally {
            WaitGraph.leave(node);
        }
    }

    /** The thread running this interpreter's shutdown now, or null. */
    Thread runningFinalizer() {
        CompletableFuture<FinalizationReport> running = attempt;
        return running == null || running.isDone() ? null : finalizer;
    }

    private static FinalizationReport join(CompletableFuture<FinalizationReport> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FinalizationAbortedException fae) {
                throw new FinalizationAbortedException(fae.report());
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    InterpreterFinalizingException finalizingException(String action) {
        return new InterpreterFinalizingException(id, "cannot " + action + ": " + this
                + " is past its point of no return");
    }

    // ---- the engine (DESIGN.md §6)

    @Override
    public void bindEngine(EngineBinding binding) {
        Objects.requireNonNull(binding, "engine");
        EngineBinding was = (EngineBinding) ENGINE.compareAndExchange(this, null, binding);
        if (was == ENGINE_TAKEN) {
            throw finalizingException("bind an engine");
        }
        if (was != null) {
            throw new IllegalStateException(this + " has an engine bound already: " + was);
        }
    }

    @Override
    public void unbindEngine(EngineBinding binding) {
        ENGINE.compareAndSet(this, Objects.requireNonNull(binding, "engine"), null);
    }

    /** The engine bound now, else null. */
    EngineBinding engine() {
        EngineBinding e = engine;
        return e == ENGINE_TAKEN ? null : e;
    }

    /**
     * Past the point of no return: takes the engine bound, if any, so that none binds any more;
     * whichever bound before this call is returned (a bind racing the point of no return either
     * comes first and is returned here, or fails). Only the finalizer calls this.
     */
    EngineBinding takeEngine() {
        EngineBinding e = (EngineBinding) ENGINE.getAndSet(this, ENGINE_TAKEN);
        return e == ENGINE_TAKEN ? null : e;
    }

    /** {@code guards} with what each holder runs, as the engine bound tells (DESIGN.md §6). */
    List<GuardInfo> withEngineActivity(List<GuardInfo> guards) {
        EngineBinding e = engine();
        if (e == null || guards.isEmpty()) {
            return guards;
        }
        Map<Long, String> running;
        try {
            running = e.running();
        } catch (RuntimeException ex) {
            return guards; // the report goes on without it
        }
        if (running.isEmpty()) {
            return guards;
        }
        List<GuardInfo> named = new ArrayList<>(guards.size());
        for (GuardInfo g : guards) {
            String r = running.get(g.holderThreadId());
            named.add(r == null ? g : g.withRunning(r));
        }
        return List.copyOf(named);
    }

    // ---- VarHandle mechanics

    /** What {@link #engine} holds once the point of no return took the engine. */
    private static final EngineBinding ENGINE_TAKEN = new EngineBinding() {
        @Override public Map<Long, String> running() { return Map.of(); }
        @Override public void holdersInterrupted() { }
        @Override public void pastPointOfNoReturn() { }
        @Override public String toString() { return "no engine (past the point of no return)"; }
    };

    private static final VarHandle WORD;
    private static final VarHandle ATTEMPT;
    private static final VarHandle ENGINE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WORD = l.findVarHandle(GuardWordCell.class, "word", long.class);
            ATTEMPT = l.findVarHandle(InterpreterRecord.class, "attempt", CompletableFuture.class);
            ENGINE = l.findVarHandle(InterpreterRecord.class, "engine", EngineBinding.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * The guard word between 56 bytes of padding on each side, by class hierarchy (fields of
     * a superclass are laid out first), as the JDK's @Contended would do without needing
     * -XX:-RestrictContended outside the JDK.
     */
    @SuppressWarnings("unused")
    private static class LeftPadding {
        long p1, p2, p3, p4, p5, p6, p7;
    }

    @SuppressWarnings("unused")
    private static class WordValue extends LeftPadding {
        volatile long word;
    }

    @SuppressWarnings("unused")
    private static final class GuardWordCell extends WordValue {
        long q1, q2, q3, q4, q5, q6, q7;
    }
}
