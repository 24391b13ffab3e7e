package dev.vigil.engine.polyglot;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.EngineBinding;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * One engine-backed interpreter: a Vigil {@link Interpreter} and the polyglot {@link Context}
 * it runs code in, joined by the {@link AttachHook} the thread-state manager calls and the
 * {@link EngineBinding} the interpreter's finalization calls. Thread-safe.
 */
final class EngineInterpreter implements AttachHook, EngineBinding {

    /*
     * Implementation overview
     *
     * The mapping (DESIGN.md §6). attached() = [lock for a single-threaded language] +
     * Context.enter; detached() = Context.leave + [unlock]. The thread-state manager calls
     * them only when a thread's attachment changes, so a nested ensure does not re-enter, and
     * enters and leaves on one thread are balanced and nest with other contexts' (switching
     * leaves A before entering B). An Entered records a thread entered here and the name of
     * the source it evaluates ("" between evaluations), for running() and the report. A
     * single-threaded language has one, `sole`, reused: it is the lock holder's, its thread
     * set after the enter and cleared before the leave, both under the lock; a multi-threaded
     * language has one per entered thread in `inside`. So an ensure + release writes no
     * shared map for JavaScript, and an eval only marks its own entry. Entered's fields are
     * written by their thread only, with release stores (no fence): readers on other threads
     * (reports) need a recent value, not a total order; the thread itself, and the closer
     * holding the lock, read what the lock and program order make exact. A thread attached in
     * Vigil's terms but without an entry here is not entered (a revoked attachment re-attached
     * after the point of no return), and eval refuses it with Vigil's error.
     *
     * The lock is the interpreter's GIL: a ReentrantLock, so that a bounded attach
     * (PolyglotInterpreters.eval with a timeout) can take it with tryLock before the ensure
     * whose hook then takes it again without waiting. Closing takes it too: `closed` is
     * written under the lock (for a multi-threaded language, before close), and attached()
     * reads it under the lock, so nothing enters a context that is closed or closing. Past the
     * point of no return attached() never enters: an ensure-type attach is a late attach
     * (P2c, the policy decides), a restoring attach leaves the thread attached but not entered.
     *
     * The finalization's side (EngineBinding, called by the registry on the finalizing thread):
     * pastPointOfNoReturn() closes the context, once, right after the point of no return and
     * before shutdown returns (no watcher, no polling); running() names, for the report, the
     * language and where each evaluating thread is (PolyglotInterpreters.locate: an execution
     * listener attached for a few milliseconds while a report is taken, so no per-statement
     * cost otherwise); holdersInterrupted() relays the policy's holder interrupt.
     *
     * Interrupts (measured, DESIGN.md §6): a Thread.interrupt stops GraalJS guest code within
     * some 100 ms, but not GraalPy's (a `while True: pass` ran on for minutes, holding GraalPy's
     * own GIL). Context.interrupt stops both. So when the policy interrupts the holders of a
     * GraalPy interpreter, an evaluating thread with its interrupt status set makes the engine
     * call Context.interrupt, on the engine's relay thread (it blocks until the code stopped).
     * Context.interrupt stops every thread evaluating in the context, not only the interrupted
     * one, and, until it returns, every eval that starts meanwhile (Truffle: its interrupt action
     * throws while the context is INTERRUPTING, and a new enter gets it): an eval that races
     * an interrupt in flight fails with isInterrupted(). GraalJS is not relayed (the thread
     * interrupt stops it). A Thread.interrupt from anyone else is not relayed either (nothing
     * polls): stop GraalPy code with PolyglotInterpreters.interrupt.
     */

    /** How long a cancelling close is waited for; see closeOnOwnThread. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(2);
    /** Languages whose contexts accept several threads at once (GraalPy has a GIL of its own). */
    private static final List<String> MULTI_THREADED = List.of("python");
    /** Languages whose guest code runs on after a Thread.interrupt (measured: GraalPy; GraalJS stops). */
    private static final List<String> IGNORES_THREAD_INTERRUPT = List.of("python");
    final Interpreter interpreter;
    final String language;
    final Context context;
    private final PolyglotInterpreters owner;
    /** Null for a multi-threaded language. */
    private final ReentrantLock lock;
    /** The lock holder's entry (single-threaded language), else null. */
    private final Entered sole;
    /** The entered threads' entries (multi-threaded language), else null. */
    private final Map<Thread, Entered> inside;
    private volatile boolean closed;

    /** A thread entered in this context, and the source it evaluates ("" between evaluations).
     * Written only by that thread (release stores), read by reports from any thread. */
    static final class Entered {
        private static final VarHandle THREAD;
        private static final VarHandle SOURCE;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                THREAD = l.findVarHandle(Entered.class, "thread", Thread.class);
                SOURCE = l.findVarHandle(Entered.class, "source", String.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final EngineInterpreter interpreter;
        private volatile Thread thread;
        private volatile String source = "";

        Entered(EngineInterpreter interpreter, Thread thread) {
            this.interpreter = interpreter;
            this.thread = thread;
        }

        Thread thread() {
            return thread;
        }

        String source() {
            return source;
        }

        void thread(Thread t) {
            THREAD.setRelease(this, t);
        }

        void source(String s) {
            SOURCE.setRelease(this, s);
        }
    }

    EngineInterpreter(Interpreter interpreter, String language, Context context, PolyglotInterpreters owner) {
        this.interpreter = interpreter;
        this.language = language;
        this.context = context;
        this.owner = owner;
        boolean multi = MULTI_THREADED.contains(language);
        this.lock = multi ? null : new ReentrantLock();
        this.sole = multi ? null : new Entered(this, null);
        this.inside = multi ? new ConcurrentHashMap<>() : null;
    }

    boolean singleThreaded() {
        return lock != null;
    }

    // ---- the hook

    @Override
    public void attached(InterpreterLifecycle lifecycle, boolean mayFail) {
        if (lock != null) {
            if (mayFail) {
                try {
                    lock.lockInterruptibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AttachException(interpreter.id(), "interrupted while waiting to attach to "
                            + describe() + ", whose lock is held by " + holder() + " (DESIGN.md §6)");
                }
            } else {
                lock.lock();
            }
        }
        if (closed || lifecycle.isPastPointOfNoReturn()) {
            unlockIfHeld();
            if (!mayFail) {
                return; // restoring past the point of no return: attached, never entered
            }
            if (lifecycle.isPastPointOfNoReturn()) {
                lifecycle.lateAttach(); // the policy decides (P2c); never returns normally
            }
            throw new IllegalStateException("cannot attach to " + describe()
                    + ": its context was closed with its PolyglotInterpreters");
        }
        try {
            context.enter();
        } catch (RuntimeException | Error e) {
            unlockIfHeld();
            throw e;
        }
        Thread t = Thread.currentThread();
        if (sole != null) {
            sole.thread(t);
        } else {
            inside.put(t, new Entered(this, t));
        }
    }

    @Override
    public void detached(InterpreterLifecycle lifecycle) {
        if (leaves()) {
            try {
                context.leave();
            } catch (IllegalStateException e) {
                // closed by cancel (close(true)) while this revoked attachment was inside: nothing to leave
            }
        }
        unlockIfHeld();
    }

    /** Drops the calling thread's entry; whether it had one (was entered here). */
    private boolean leaves() {
        Thread t = Thread.currentThread();
        if (sole == null) {
            return inside.remove(t) != null;
        }
        if (sole.thread() != t) {
            return false;
        }
        sole.thread(null); // its source is "" again: each eval restores what it found
        return true;
    }

    private void unlockIfHeld() {
        if (lock != null && lock.isHeldByCurrentThread()) {
            lock.unlock();
        }
    }

    // ---- bounded attach

    /**
     * Takes the lock, waiting at most {@code timeout}, before an ensure (whose hook then takes
     * it again without waiting). Returns whether the caller must {@link #unlockAfter()}.
     */
    boolean lockBefore(Duration timeout) {
        if (lock == null || lock.isHeldByCurrentThread()) {
            return false;
        }
        try {
            if (lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttachException(interpreter.id(), "interrupted while waiting to attach to "
                    + describe() + ", whose lock is held by " + holder());
        }
        throw new AttachException(interpreter.id(), "timed out after " + timeout.toMillis()
                + " ms waiting to attach to " + describe() + ", whose lock is held by " + holder());
    }

    void unlockAfter() {
        lock.unlock();
    }

    // ---- evaluation

    /** Evaluates {@code code}, named {@code sourceName}, on the calling thread, entered here as
     * {@code in} (its {@link #entry()}). */
    Value eval(Entered in, String sourceName, String code) {
        if (closed) {
            // a revoked attachment still entered: nothing starts past the point of no return
            throw finalized("evaluate code in");
        }
        Source source = Source.newBuilder(language, code, sourceName).buildLiteral();
        String was = in.source();
        in.source(sourceName);
        try {
            return context.eval(source);
        } catch (IllegalStateException e) {
            if (closed) {
                throw finalized("evaluate code in");
            }
            throw e;
        } finally {
            in.source(was);
        }
    }

    /** The calling thread's entry if it is entered in this context, else null. */
    Entered entry() {
        Thread t = Thread.currentThread();
        if (sole != null) {
            return sole.thread() == t ? sole : null;
        }
        return inside.get(t);
    }

    /** The calling thread's entry; Vigil's error (notEntered) if it is not entered here. */
    Entered enteredEntry() {
        Entered in = entry();
        if (in == null) {
            throw notEntered();
        }
        return in;
    }

    boolean isEnteredByCurrentThread() {
        return entry() != null;
    }

    RuntimeException notEntered() {
        if (closed || interpreter.state().compareTo(dev.vigil.api.InterpreterState.FINALIZING) >= 0) {
            return finalized("evaluate code in");
        }
        return new IllegalStateException("the calling thread is not attached to " + describe()
                + ": ensure a thread state for it first (DESIGN.md §6: attach is Context.enter)");
    }

    InterpreterFinalizingException finalized(String action) {
        return new InterpreterFinalizingException(interpreter.id(), "cannot " + action + " " + describe()
                + ": it is past its point of no return and its context is closed (DESIGN.md §6)");
    }

    boolean isClosed() {
        return closed;
    }

    /** The threads evaluating guest code here now, with the name of the source each evaluates. */
    Map<Thread, String> evaluating() {
        Map<Thread, String> m = new HashMap<>();
        for (Entered in : entries()) {
            Thread t = in.thread();
            String src = in.source();
            if (t != null && !src.isEmpty()) {
                m.put(t, src);
            }
        }
        return m;
    }

    /**
     * What a thread evaluating {@code source} runs: the language and where it is ({@code at},
     * "name:line" of the statement it entered, if known), e.g. {@code js loop.js:2}, or
     * {@code js util.js:7 (evaluating main.js)} when the code it runs came from another source.
     */
    String what(String source, String at) {
        if (at == null) {
            return language + " " + source;
        }
        return language + " " + at + (at.startsWith(source + ":") ? "" : " (evaluating " + source + ")");
    }

    // ---- the finalization's side (EngineBinding)

    /** {@inheritDoc} Here: the language and the source location of each evaluating thread. */
    @Override
    public Map<Long, String> running() {
        Map<Thread, String> evaluating = evaluating();
        if (evaluating.isEmpty()) {
            return Map.of();
        }
        Map<Thread, String> at = owner.locate(evaluating.keySet());
        Map<Long, String> m = new HashMap<>();
        evaluating.forEach((t, src) -> m.put(t.getId(), what(src, at.get(t))));
        return m;
    }

    /** {@inheritDoc} Here, for a language whose code ignores a thread interrupt: if an evaluating
     * thread has its interrupt status set, Context.interrupt on the engine's relay thread (see
     * the overview). */
    @Override
    public void holdersInterrupted() {
        if (!IGNORES_THREAD_INTERRUPT.contains(language)) {
            return; // the thread interrupt stops it; a Context.interrupt too would only widen the window below
        }
        for (Thread t : evaluating().keySet()) {
            if (t.isInterrupted()) {
                owner.relayInterrupt(this);
                return;
            }
        }
    }

    /** {@inheritDoc} Here: forgets this interpreter and closes its context (cancelling what a
     * revoked attachment still runs). */
    @Override
    public void pastPointOfNoReturn() {
        owner.finalized(this);
        close();
    }

    // ---- interrupting guest code

    /** Context.interrupt: stops the guest code running in the context now (PolyglotException
     * with isInterrupted() in each thread); the context stays usable. Returns whether every
     * thread stopped within {@code timeout}. */
    boolean interrupt(Duration timeout) {
        if (closed) {
            return true;
        }
        try {
            context.interrupt(timeout);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (IllegalStateException | PolyglotException e) {
            return closed; // closed meanwhile
        }
    }

    // ---- closing

    /**
     * Closes the context after the point of no return (or when the engine closes): plainly if
     * no thread is inside, else by cancelling (close(true)) what the revoked attachments still
     * run. Idempotent. Returns whether it had to cancel.
     *
     * <p>The close runs on a thread of its own (see PolyglotInterpreters.onOwnThread), except
     * when the calling thread is itself entered here — a thread attached to this interpreter
     * that shuts it down, or a script's host call that does: a close on any other thread would
     * wait for the caller to leave, which it never would. Truffle closes from an entered
     * thread; the caller's guest code still on its stack, if any, is cancelled when control
     * returns to it, and the caller's later leave is harmless. That thread has used the engine
     * already, so closing there keeps nothing more of the engine on it.
     */
    boolean close() {
        boolean locked = lock == null || lock.tryLock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            if (entry() != null) {
                closeContext(true); // on the calling thread, entered here: see above
                return true;
            }
            if (locked && enteredThreads().isEmpty() && closeOnOwnThread(false)) {
                return false;
            }
        } finally {
            if (locked && lock != null) {
                lock.unlock();
            }
        }
        closeOnOwnThread(true);
        return true;
    }

    /**
     * Context.close(cancel) on the calling thread; whether it closed: a plain close fails while
     * a thread is inside (a multi-threaded language's thread entered meanwhile), a cancel only
     * if another cancel closed it first.
     */
    private boolean closeContext(boolean cancel) {
        try {
            context.close(cancel);
            return true;
        } catch (IllegalStateException | PolyglotException e) {
            return false;
        }
    }

    /** {@link #closeContext} on a thread of its own (PolyglotInterpreters.onOwnThread). A cancel is
     * waited for at most CANCEL_WAIT: it stops guest code within some 60-300 ms (measured), but
     * a revoked attachment's thread blocked in Java code holds it until it leaves or returns to
     * guest code; the context then closes when it does (nothing enters it meanwhile:
     * `closed` is set), after the shutdown returned. */
    private boolean closeOnOwnThread(boolean cancel) {
        Supplier<Boolean> close = () -> closeContext(cancel);
        return cancel ? PolyglotInterpreters.onOwnThread("close", close, CANCEL_WAIT, true)
                : PolyglotInterpreters.onOwnThread("close", close);
    }

    /** The entries of the threads entered in this context now (racy: for reports, and for the
     * closer, which holds the lock of a single-threaded language). */
    private Iterable<Entered> entries() {
        return sole != null ? List.of(sole) : inside.values();
    }

    /** The threads entered in this context now. */
    private List<Thread> enteredThreads() {
        List<Thread> threads = new ArrayList<>(1);
        for (Entered in : entries()) {
            Thread t = in.thread();
            if (t != null) {
                threads.add(t);
            }
        }
        return threads;
    }

    private String holder() {
        List<Thread> threads = enteredThreads();
        return threads.isEmpty() ? "another thread" : "thread \"" + threads.get(0).getName() + "\"";
    }

    String describe() {
        return language + " interpreter " + interpreter.name() + " (#" + interpreter.id() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
