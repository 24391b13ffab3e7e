package dev.vigil.engine.polyglot;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import dev.vigil.spi.kernel.AttachHooks;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.management.ExecutionListener;

/**
 * Interpreters that run code: each one a Vigil interpreter backed by a GraalVM polyglot
 * {@link Context} of a language (JavaScript; Python through GraalPy, when its jars are present),
 * all on one shared {@link Engine} per runtime. Code runs under Vigil's contract, mapped onto
 * the polyglot API line by line (DESIGN.md §6):
 *
 * <table>
 * <caption>The mapping</caption>
 * <tr><th>Vigil</th><th>polyglot</th></tr>
 * <tr><td>{@code ensure} / attach (a thread state becomes attached)</td><td>{@code Context.enter},
 *     once: a nested ensure does not re-enter</td></tr>
 * <tr><td>release, {@code detach()}</td><td>{@code Context.leave}</td></tr>
 * <tr><td>attaching to a single-threaded language's interpreter (JavaScript)</td><td>also takes
 *     the interpreter's lock, as attaching takes the GIL in CPython: a second thread's attach
 *     waits, interruptibly ({@link AttachException}), bounded with
 *     {@link #eval(Interpreter, String, String, Duration)}; {@code detach()} around blocking
 *     Java work lets others in. Python contexts (GraalPy) accept several threads: no lock</td></tr>
 * <tr><td>switching interpreters (T1)</td><td>leave the one attached, enter the other; the
 *     release leaves it and enters the first again</td></tr>
 * <tr><td>guards open</td><td>{@code close()} is held off (G-rules unchanged)</td></tr>
 * <tr><td>finalization, after the F1 wait</td><td>at-exit hooks ({@link #atExit}) run in the
 *     context (F1 step 3); right after the point of no return, on the finalizing thread, the
 *     context is closed: it is closed when {@code shutdown} returns; nothing enters past the
 *     point of no return: a late attach is the policy's (P2c), never an enter</td></tr>
 * <tr><td>a policy interrupting holders (timed-interrupt)</td><td>guest code running in the
 *     holders' threads stops: a {@code PolyglotException} with {@code isInterrupted()}; the
 *     context stays usable. GraalJS stops on the thread interrupt itself; GraalPy does not
 *     (measured), so the policy's holder interrupt is relayed to {@code Context.interrupt},
 *     which stops every thread evaluating in that context</td></tr>
 * <tr><td>an interrupt under daemon-hang; any finalization report</td><td>each open guard's
 *     holder names what it runs ({@code GuardInfo.running()}: language, source name and line,
 *     e.g. {@code js loop.js:2}); {@link #running()} names which scripts run where</td></tr>
 * <tr><td>a revoked (unguarded) attachment still running guest code when the context
 *     closes</td><td>{@code close(true)}: cancelled</td></tr>
 * <tr><td>a revoked attachment whose thread is blocked in Java code when the context
 *     closes</td><td>the cancelling close is waited for at most 2 s; the context then closes
 *     when that thread leaves it or returns to guest code, after {@code shutdown} returned;
 *     nothing starts in it meanwhile ({@link InterpreterFinalizingException})</td></tr>
 * <tr><td>a thread attached to the interpreter shutting it down itself (from Java, or from a
 *     script through a host call)</td><td>the context is closed on that thread, which no other
 *     thread's close could wait for; the script that made the call is cancelled when the call
 *     returns, and the thread's later release does not block</td></tr>
 * </table>
 *
 * <p>Guest values crossing to the host are copied ({@link #eval(String)} and the evaluation
 * methods taking an interpreter return host copies), or kept as {@link GuestValue}s, valid only
 * on a thread attached to their interpreter and failing with
 * {@link InterpreterFinalizingException} after it finalized.
 *
 * <p>Where a script is (the line in reports and {@link #running()}) is seen only while a report
 * is taken: an execution listener is attached to the engine for at most
 * 100 ms (LOCATE_BOUND_MILLIS), until each evaluating thread entered a statement; a thread
 * blocked in host code meanwhile is named by its source name only. Evaluation pays nothing
 * for it otherwise.
 *
 * <p>Thread-safe: every method may be called from any thread. {@link #close()} closes every
 * context and the engine and ends the thread this object started (the interrupt relay, which
 * exists only while it relays); it does not shut the interpreters down.
 */
public final class PolyglotInterpreters implements AutoCloseable {

    /*
     * Implementation overview
     *
     * create() makes the Vigil interpreter, installs its AttachHook (an EngineInterpreter)
     * with the thread-state manager and binds it as the interpreter's EngineBinding (to the
     * lifecycle a view of the guards bundle names, ViewHandle: the same in plain Java, OSGi and
     * CDI, whose registry is a wrapper) before handing the interpreter out. The interpreter's
     * finalization then calls it: right after the point of no return, on the finalizing thread
     * (pastPointOfNoReturn: forget it, uninstall the hook, close the context), when the policy
     * interrupts the holders (holdersInterrupted: relay to Context.interrupt on `relay`, a
     * thread that exists only while it relays), and while it lists open guards (running:
     * locate()). Nothing polls. Guards hold the close off because the point of no return comes
     * only when no guard is open (G3); no thread can enter after it (EngineInterpreter's hook
     * checks the point of no return under the lock).
     */

    /** How long a report waits at most to see where the evaluating threads are. */
    private static final long LOCATE_BOUND_MILLIS = 100;
    /** How long the relay waits for guest code to stop after Context.interrupt: GraalPy took
     * 0.7 s here, and an interrupt that times out is withdrawn. */
    private static final Duration RELAY_TIMEOUT = Duration.ofSeconds(10);

    private final InterpreterRegistry registry;
    private final InterpreterGuards guards;
    private final ThreadStates threadStates;
    private final AttachHooks hooks;
    private final Map<String, String> engineOptions;
    /** Built at the first use (a bundle that is never used costs no engine); guarded by this. */
    private Engine engine;
    private final Map<Long, EngineInterpreter> interpreters = new ConcurrentHashMap<>();
    /** Relays holder interrupts (Context.interrupt blocks); its one thread ends when idle and at close. */
    private final ThreadPoolExecutor relay;
    private volatile boolean engineClosed;

    private PolyglotInterpreters(InterpreterRegistry registry, InterpreterGuards guards, ThreadStates threadStates,
            Map<String, String> engineOptions) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.guards = Objects.requireNonNull(guards, "guards");
        this.threadStates = Objects.requireNonNull(threadStates, "threadStates");
        Objects.requireNonNull(engineOptions, "engineOptions");
        if (!(threadStates instanceof AttachHooks h)) {
            throw new IllegalArgumentException("threadStates " + threadStates + " has no engine seam ("
                    + AttachHooks.class.getName() + "): use dev.vigil:vigil-threadstate 0.1.0 or later");
        }
        try (InterpreterView main = guards.viewOfMain()) {
            if (!(main instanceof ViewHandle)) {
                throw new IllegalArgumentException("guards " + guards + " have no engine seam ("
                        + ViewHandle.class.getName() + "): use dev.vigil:vigil-guards 0.1.0 or later");
            }
        }
        this.hooks = h;
        this.engineOptions = Map.copyOf(engineOptions);
        this.relay = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "vigil-polyglot-interrupt-relay");
            t.setDaemon(true);
            return t;
        });
    }

    /** The shared engine, built at the first call. */
    private synchronized Engine engine() {
        if (engine == null) {
            if (engineClosed) {
                throw new IllegalStateException("these polyglot interpreters are closed");
            }
            engine = onOwnThread("engine", () -> {
                Engine.Builder b = Engine.newBuilder().option("engine.WarnInterpreterOnly", "false");
                engineOptions.forEach(b::option);
                return b.build();
            });
        }
        return engine;
    }

    /**
     * Engine-backed interpreters for {@code runtime} (plain Java: {@code Vigil.builder()}).
     *
     * @throws IllegalArgumentException if the runtime's thread states or guards have no engine seam
     */
    public static PolyglotInterpreters create(VigilRuntime runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return new PolyglotInterpreters(runtime.registry(), runtime.guards(), runtime.threadStates(), Map.of());
    }

    /**
     * Engine-backed interpreters on a runtime's three services (OSGi), with polyglot engine
     * options ({@code Engine.Builder.option}). The engine is built at the first use.
     *
     * @throws IllegalArgumentException for thread states or guards without an engine seam
     */
    public static PolyglotInterpreters create(InterpreterRegistry registry, InterpreterGuards guards,
            ThreadStates threadStates, Map<String, String> engineOptions) {
        return new PolyglotInterpreters(registry, guards, threadStates, engineOptions);
    }

    /** The languages installed (their polyglot ids, e.g. {@code js}, {@code python}). */
    public Set<String> languages() {
        return new TreeSet<>(engine().getLanguages().keySet());
    }

    /**
     * Creates an interpreter named {@code name} (as {@code registry().create}) backed by a new
     * context of {@code language} on the shared engine. Blocks while the context is built
     * and its language initialized (JavaScript: the first about 2.5 s cold on a stock JDK, each
     * further one some 10–30 ms; Python: 10–14 s cold).
     *
     * @throws IllegalArgumentException for a language not installed (naming those that are)
     *         or a name in use
     * @throws IllegalStateException after {@link #close()}
     */
    public Interpreter create(String name, String language) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(language, "language");
        if (engineClosed) {
            throw new IllegalStateException("these polyglot interpreters are closed");
        }
        Engine engine = engine();
        if (!engine.getLanguages().containsKey(language)) {
            throw new IllegalArgumentException("language \"" + language + "\" is not installed; installed: "
                    + languages());
        }
        Context context = onOwnThread("context", () -> {
            Context c = Context.newBuilder(language).engine(engine).build();
            try {
                // initialized here, not at the first eval: language initialization does not stop on
                // an interrupt (measured), so a runaway script's first seconds would not either
                c.initialize(language);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        });
        Interpreter interpreter;
        try {
            interpreter = registry.create(name);
        } catch (RuntimeException e) {
            onOwnThread("close", () -> {
                context.close();
                return null;
            });
            throw e;
        }
        EngineInterpreter ei = new EngineInterpreter(interpreter, language, context, this);
        hooks.install(interpreter, ei);
        interpreters.put(interpreter.id(), ei);
        try {
            lifecycle(interpreter).bindEngine(ei);
        } catch (RuntimeException e) { // finalized meanwhile (main's shutdown)
            finalized(ei);
            ei.close();
            throw e;
        }
        return interpreter;
    }

    /** The language of an engine-backed interpreter of these, empty for any other. */
    public Optional<String> language(Interpreter interpreter) {
        Objects.requireNonNull(interpreter, "interpreter");
        EngineInterpreter ei = interpreters.get(interpreter.id());
        return ei != null && ei.interpreter == interpreter ? Optional.of(ei.language) : Optional.empty();
    }

    /**
     * The polyglot context behind {@code interpreter}, for what this class does not offer
     * (bindings, host access). Entering it directly bypasses Vigil's contract and, for a
     * single-threaded language, its lock: use it on a thread attached to the interpreter.
     *
     * @throws IllegalArgumentException if it is not an engine-backed interpreter of these
     * @throws InterpreterFinalizingException if it finalized
     */
    public Context context(Interpreter interpreter) {
        return engineInterpreter(interpreter).context;
    }

    // ---- evaluation on the attached interpreter

    /**
     * Evaluates {@code code} in the interpreter the calling thread is attached to (through
     * {@code ensure}, {@code ensureFromView}, an interpreter thread) and returns a host copy
     * of the result.
     *
     * @throws IllegalStateException if the thread is not attached to an engine-backed interpreter
     * @throws InterpreterFinalizingException if that interpreter's context is closed
     * @throws org.graalvm.polyglot.PolyglotException for guest errors, interrupts
     *         ({@code isInterrupted()}) and cancellation ({@code isCancelled()})
     */
    public Object eval(String code) {
        return eval("eval", code);
    }

    /**
     * As {@link #eval(String)}, naming the code {@code sourceName} in stack traces and
     * {@link #running()}.
     */
    public Object eval(String sourceName, String code) {
        Objects.requireNonNull(sourceName, "sourceName");
        return HostCopy.of(evalIn(attached(), sourceName, code));
    }

    /** As {@link #eval(String)}, keeping the result as a guest value (see {@link GuestValue}). */
    public GuestValue evalValue(String code) {
        EngineInterpreter.Entered in = attached();
        return new GuestValue(in.interpreter, evalIn(in, "eval", code));
    }

    // ---- evaluation from any thread

    /**
     * Evaluates {@code code} in {@code interpreter} from any thread: takes a guard from a view
     * and a thread state (ensureFromView), evaluates, releases. Waits for the interpreter's
     * lock (single-threaded languages) interruptibly, without bound.
     *
     * @param sourceName the name the code goes by in stack traces and {@link #running()}
     * @return a host copy of the result
     * @throws InterpreterFinalizingException if the interpreter is finalizing or gone
     * @throws AttachException if the wait for its lock was interrupted
     */
    public Object eval(Interpreter interpreter, String sourceName, String code) {
        return evalFromView(engineInterpreter(interpreter), sourceName, code);
    }

    /**
     * As {@link #eval(Interpreter, String, String)}, waiting at most {@code attachTimeout} for
     * the interpreter's lock.
     *
     * @throws AttachException if the lock was not had within {@code attachTimeout}
     */
    public Object eval(Interpreter interpreter, String sourceName, String code, Duration attachTimeout) {
        Objects.requireNonNull(attachTimeout, "attachTimeout");
        if (attachTimeout.isNegative()) {
            throw new IllegalArgumentException("attachTimeout " + attachTimeout + " is negative");
        }
        EngineInterpreter ei = engineInterpreter(interpreter);
        boolean locked = ei.lockBefore(attachTimeout);
        try {
            return evalFromView(ei, sourceName, code);
        } finally {
            if (locked) {
                ei.unlockAfter();
            }
        }
    }

    private Object evalFromView(EngineInterpreter ei, String sourceName, String code) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(code, "code");
        try (InterpreterView view = guards.viewOf(ei.interpreter)) {
            Optional<ThreadStateToken> token = threadStates.ensureFromView(view);
            if (token.isEmpty()) {
                throw ei.finalized("evaluate code in");
            }
            try (ThreadStateToken t = token.get()) {
                return HostCopy.of(evalIn(ei.enteredEntry(), sourceName, code));
            }
        }
    }

    /**
     * Registers {@code code} to run in {@code interpreter}'s context when it finalizes, as an
     * atexit hook (F1 step 3: before the guard wait and the close; last registered first;
     * errors reported by the registry, not propagated).
     *
     * @throws InterpreterFinalizingException if the interpreter is past its point of no return
     */
    public void atExit(Interpreter interpreter, String code) {
        EngineInterpreter ei = engineInterpreter(interpreter);
        Objects.requireNonNull(code, "code");
        registry.atExit(interpreter, new Runnable() {
            @Override
            public void run() {
                evalFromView(ei, "atexit", code);
            }

            @Override
            public String toString() {
                return ei.language + " atexit hook of " + ei.interpreter.name();
            }
        });
    }

    /**
     * Stops the guest code running in {@code interpreter} now ({@code Context.interrupt}: a
     * {@code PolyglotException} with {@code isInterrupted()} in every thread evaluating there);
     * the context stays usable. Blocks until that code stopped, at most {@code timeout}.
     *
     * @return whether it stopped within {@code timeout}
     */
    public boolean interrupt(Interpreter interpreter, Duration timeout) {
        EngineInterpreter ei = engineInterpreter(interpreter);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout " + timeout + " must be positive");
        }
        return ei.interrupt(timeout);
    }

    /**
     * The scripts being evaluated now, one line per thread: thread, language, source name and
     * line, interpreter, e.g. {@code thread "t" (id 42) runs js loop.js:2 in rules (#3)} (what
     * an interrupt under daemon-hang wants to know). Blocks at most
     * 100 ms (LOCATE_BOUND_MILLIS) to see where the scripts are (see the class comment).
     */
    public List<String> running() {
        Map<Thread, EngineInterpreter> of = new HashMap<>();
        Map<Thread, String> sources = new HashMap<>();
        for (EngineInterpreter ei : interpreters.values()) {
            ei.evaluating().forEach((t, src) -> {
                of.put(t, ei);
                sources.put(t, src);
            });
        }
        Map<Thread, String> at = of.isEmpty() ? Map.of() : locate(of.keySet());
        List<String> lines = new ArrayList<>();
        of.forEach((t, ei) -> lines.add("thread \"" + t.getName() + "\" (id " + t.getId() + ") runs "
                + ei.what(sources.get(t), at.get(t)) + " in " + ei.interpreter.name() + " (#" + ei.interpreter.id()
                + ")"));
        return lines;
    }

    /**
     * Where each of {@code threads} is in guest code: "source name:line" of the next statement it
     * enters, seen by an execution listener attached to the engine until every thread was seen,
     * at most 100 ms (LOCATE_BOUND_MILLIS); a thread not seen (blocked in host code) is left
     * out. Costs evaluation nothing outside that window.
     */
    Map<Thread, String> locate(Set<Thread> threads) {
        Engine e;
        synchronized (this) {
            e = engine;
        }
        if (e == null || engineClosed || threads.isEmpty()) {
            return Map.of();
        }
        Set<Thread> wanted = Set.copyOf(threads);
        Map<Thread, String> at = new ConcurrentHashMap<>();
        CountDownLatch seen = new CountDownLatch(wanted.size());
        ExecutionListener listener;
        try {
            listener = ExecutionListener.newBuilder().statements(true).onEnter(event -> {
                Thread t = Thread.currentThread();
                SourceSection s = wanted.contains(t) ? event.getLocation() : null;
                if (s != null && at.putIfAbsent(t, s.getSource().getName() + ":" + s.getStartLine()) == null) {
                    seen.countDown();
                }
            }).attach(e);
        } catch (RuntimeException closed) {
            return Map.of(); // the engine closed meanwhile
        }
        try {
            seen.await(LOCATE_BOUND_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt(); // the caller's (a finalizer's) interrupt stays for it
        } finally {
            listener.close();
        }
        return Map.copyOf(at);
    }

    private static Value evalIn(EngineInterpreter.Entered in, String sourceName, String code) {
        Objects.requireNonNull(code, "code");
        return in.interpreter.eval(in, sourceName, code);
    }

    /** The calling thread's entry in the context it is attached to; else the error saying why not. */
    private EngineInterpreter.Entered attached() {
        Interpreter current = threadStates.current().orElseThrow(() -> new IllegalStateException(
                "the calling thread is not attached to an interpreter (DESIGN.md §6: ensure first)"));
        EngineInterpreter ei = interpreters.get(current.id());
        if (ei == null) {
            if (current.state() == InterpreterState.FINALIZED) {
                // a revoked attachment outliving its interpreter: Vigil's error, not "no engine"
                throw finalized(current, "evaluate code in");
            }
            throw new IllegalStateException(current + " is not backed by an engine");
        }
        return ei.enteredEntry();
    }

    private EngineInterpreter engineInterpreter(Interpreter interpreter) {
        Objects.requireNonNull(interpreter, "interpreter");
        EngineInterpreter ei = interpreters.get(interpreter.id());
        if (ei == null && interpreter.state() == InterpreterState.FINALIZED) {
            throw finalized(interpreter, "use");
        }
        if (ei == null || ei.interpreter != interpreter) {
            throw new IllegalArgumentException(interpreter + " is not an engine-backed interpreter of these");
        }
        return ei;
    }

    /** Vigil's error for {@code action} on an interpreter that finalized (its engine forgotten). */
    private static InterpreterFinalizingException finalized(Interpreter interpreter, String action) {
        return new InterpreterFinalizingException(interpreter.id(), "cannot " + action + " " + interpreter
                + ": it finalized and its context is closed (DESIGN.md §6)");
    }

    /**
     * Runs {@code task} on a fresh thread that ends with it, and waits for it (uninterruptibly:
     * the task cannot be left half done; the caller's interrupt status is kept). Truffle leaves a
     * thread-local value of the engine's classes on each thread that builds, enters or closes a
     * context or engine: building and closing on such threads keeps long-lived threads (a
     * framework's, a pool's, a finalizer's) from holding the engine bundle's class loader after
     * it stopped (DESIGN.md §5). Rethrows the task's unchecked exception.
     */
    static <T> T onOwnThread(String what, Supplier<T> task) {
        return onOwnThread(what, task, null, null);
    }

    /**
     * As {@link #onOwnThread(String, Supplier)}, but waits at most {@code bound}: if the task
     * has not ended by then, returns {@code unfinished} and lets it run on (its thread ends with
     * it). For closes that cancel: Truffle's close(true) waits for every thread entered in the
     * context to leave it or return to guest code, which a thread blocked in Java code may
     * never do.
     */
    static <T> T onOwnThread(String what, Supplier<T> task, Duration bound, T unfinished) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(task.get());
            } catch (RuntimeException | Error e) {
                failure.set(e);
            }
        }, "vigil-polyglot-" + what);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        long deadline = bound == null ? 0 : System.nanoTime() + bound.toNanos();
        for (;;) {
            try {
                if (bound == null) {
                    t.join();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.timedJoin(t, left);
                    }
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            return unfinished;
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error err) {
            throw err;
        }
        return result.get();
    }

    // ---- the finalization's side (called by EngineInterpreter)

    /** The interpreter's lifecycle, through the guards' SPI seam (checked by the constructor). */
    private InterpreterLifecycle lifecycle(Interpreter interpreter) {
        try (InterpreterView v = guards.viewOf(interpreter)) {
            return ((ViewHandle) v).lifecycle();
        }
    }

    /** After the point of no return: forgets {@code ei} (its context is closed next). */
    void finalized(EngineInterpreter ei) {
        interpreters.remove(ei.interpreter.id(), ei);
        hooks.uninstall(ei.interpreter);
    }

    /** Interrupts {@code ei}'s guest code on the relay thread; nothing once closed. */
    void relayInterrupt(EngineInterpreter ei) {
        try {
            relay.execute(() -> ei.interrupt(RELAY_TIMEOUT));
        } catch (RejectedExecutionException closed) {
            // close() cancels what still runs
        }
    }

    /**
     * Closes every context (cancelling guest code still running) and the engine, and ends the
     * relay thread, waiting for it. Idempotent. Does not shut the interpreters down: shut them
     * down first for the contract's order.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (engineClosed) {
                return;
            }
            engineClosed = true;
        }
        for (EngineInterpreter ei : interpreters.values()) {
            lifecycle(ei.interpreter).unbindEngine(ei);
            hooks.uninstall(ei.interpreter);
            ei.close(); // cancels what still runs, and so a relay's Context.interrupt returns
        }
        interpreters.clear();
        relay.shutdownNow();
        try {
            relay.awaitTermination(RELAY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Engine built;
        synchronized (this) {
            built = engine;
        }
        if (built != null) {
            // bounded as a context's cancelling close is (EngineInterpreter.CANCEL_WAIT): a thread
            // still entered in a context, blocked in Java code, holds the engine's close until it leaves
            onOwnThread("close", () -> {
                built.close(true);
                return null;
            }, EngineInterpreter.CANCEL_WAIT, null);
        }
    }

    @Override
    public String toString() {
        return "polyglot interpreters (" + interpreters.size() + " interpreters)";
    }
}
