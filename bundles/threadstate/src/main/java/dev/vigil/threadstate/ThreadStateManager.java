package dev.vigil.threadstate;

import dev.vigil.api.Detachment;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.AttachHooks;
import dev.vigil.spi.kernel.GuardHandle;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.ThreadBinder;
import dev.vigil.spi.kernel.ViewHandle;
import dev.vigil.threadstate.PerThread.State;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ThreadStates} for one runtime, and the {@link ThreadBinder} of its interpreter
 * threads. Each thread's attachments live in a {@link PerThread} held by a
 * {@link ThreadLocal} of this runtime (so several runtimes in one JVM never share them), for
 * platform and virtual threads alike (T8).
 *
 * <p>Revocation (F1): after an interpreter's point of no return, no attachment to it is
 * guarded (a guard would have held the point off), so every attachment still in place is
 * revoked. Revocation is lazy: {@link #current()} still names the interpreter (whose state
 * says it is finalizing or finalized), guarding it fails (G1), releasing and detaching it
 * still work and never block, and re-attaching to it (a detachment's close, a legacy ensure,
 * an interpreter thread's start) is a late attach.
 */
final class ThreadStateManager implements ThreadStates, ThreadBinder, AttachHooks {

    private final Kernel kernel;
    /** Engine hooks by interpreter (DESIGN.md §6); empty unless an engine installed one. */
    private final Hooks hooks = new Hooks();
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(() -> new PerThread(this, hooks));

    ThreadStateManager(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public ThreadStateToken ensure(InterpreterGuard guard) {
        PerThread t = threadFor(guard);
        long stamp = t.ensure(((GuardHandle) guard).lifecycle(), null);
        return new Token(t, stamp, t.attached, null);
    }

    /**
     * {@inheritDoc} Kept this small so that it is inlined into its caller even when its work
     * ({@link #ensureOwned}) is not, and the token and its Optional are scalar-replaced there
     * (0 B/op, DESIGN.md section 4): C2 inlines no method it has already compiled into more than
     * {@code InlineSmallCode} bytes, and an object returned by a method not inlined escapes.
     */
    @Override
    public Optional<ThreadStateToken> ensureFromView(InterpreterView view) {
        ViewHandle v = view(view);
        ViewHandle.OwnedGuard owned = v.acquireOwned();
        if (owned == null) {
            return Optional.empty();                    // finalizing or gone: not an error (T3)
        }
        PerThread t = ensureOwned(v, owned);
        return Optional.of(new Token(t, t.lastStamp(), t.attached, owned));
    }

    /**
     * T3: ensures with {@code owned}, a guard just taken for the calling thread's state; returns
     * that state, whose {@link PerThread#lastStamp()} is the new frame's. If the ensure fails
     * (an engine refuses the attach, DESIGN.md §6), it has changed nothing, and the guard is
     * released before the error propagates, so that it holds no finalization off.
     */
    private PerThread ensureOwned(ViewHandle v, ViewHandle.OwnedGuard owned) {
        try {
            PerThread t = threadFor(owned);
            t.ensure(v.lifecycle(), owned);
            return t;
        } catch (RuntimeException | Error e) {
            owned.release();
            throw e;
        }
    }

    /** The calling thread's state, through the owned guard's hint where it has one (see below). */
    private PerThread threadFor(ViewHandle.OwnedGuard owned) {
        if (owned.threadStateHint() instanceof PerThread p && live(p)) {
            return p;
        }
        PerThread t = perThread.get();
        owned.threadStateHint(t);
        return t;
    }

    /** Whether a hinted state is the calling thread's live state of this manager. */
    private boolean live(PerThread p) {
        return p.owner == Thread.currentThread() && p.liveFor == this;
    }

    /**
     * The calling thread's state for an ensure on {@code guard}, after the checks of T2. The
     * guard keeps a thread-state hint (at diagnostics simple, its holder thread's ledger's,
     * shared by all that thread's guards): when it is the calling thread's live state of
     * this manager, the ensure skips the ThreadLocal lookup, and the runtime check — a hint
     * is only ever set after a check on a guard of the same runtime passed (a guards book
     * belongs to one runtime).
     */
    private PerThread threadFor(InterpreterGuard guard) {
        if (guard instanceof GuardHandle g && g.threadStateHint() instanceof PerThread p && live(p)) {
            if (!g.isOpen()) {
                throw closedGuard(guard);
            }
            return p;
        }
        return threadForUnhinted(guard);
    }

    private PerThread threadForUnhinted(InterpreterGuard guard) {
        GuardHandle g = guarded(guard);
        PerThread t = perThread.get();
        g.threadStateHint(t);
        return t;
    }

    @Override
    public Optional<Interpreter> current() {
        State s = perThread.get().attached;
        return s == null ? Optional.empty() : Optional.of(s.lifecycle.interpreter());
    }

    @Override
    public Detachment detach() {
        PerThread t = perThread.get();
        if (t.attached == null) {
            throw new IllegalStateException("detach() needs the calling thread to be attached (T6)");
        }
        return new Detached(t, t.detach());
    }

    @Override
    public ThreadStateToken legacyEnsure() {
        InterpreterLifecycle main = kernel.lifecycle(kernel.registry().main());
        if (main.isPastPointOfNoReturn()) {
            main.lateAttach(); // T7: never returns normally
        }
        PerThread t = perThread.get();
        long stamp = t.ensure(main, null);
        return new Token(t, stamp, t.attached, null);
    }

    @Override
    public void runAttached(InterpreterLifecycle lifecycle, Runnable task) {
        if (lifecycle.isPastPointOfNoReturn()) {
            lifecycle.lateAttach();
        }
        PerThread t = perThread.get();
        State previous = t.attached;
        State bound = t.bind(lifecycle);
        try {
            task.run();
        } finally {
            t.unbind(bound, previous);
            if (previous == null && !t.hasFrames()) {
                t.liveFor = null; // retired: guards hinting at it ask the ThreadLocal again
                perThread.remove();
            }
        }
    }

    @Override
    public void install(Interpreter interpreter, AttachHook hook) {
        Objects.requireNonNull(hook, "hook");
        InterpreterLifecycle lifecycle = kernel.lifecycle(Objects.requireNonNull(interpreter, "interpreter"));
        if (!hooks.install(lifecycle, hook)) {
            throw new IllegalStateException(interpreter + " already has an attach hook");
        }
    }

    @Override
    public void uninstall(Interpreter interpreter) {
        hooks.uninstall(kernel.lifecycle(Objects.requireNonNull(interpreter, "interpreter")));
    }

    // The checks below keep their message building out of line, so that ensure and
    // ensureFromView stay small enough to be inlined and their token to be scalar-replaced.

    private GuardHandle guarded(InterpreterGuard guard) {
        Objects.requireNonNull(guard, "guard");
        if (!(guard instanceof GuardHandle g) || g.lifecycle().runtimeId() != kernel.runtimeId()) {
            throw foreign("guard", guard);
        }
        if (!g.isOpen()) {
            throw closedGuard(guard);
        }
        return g;
    }

    private ViewHandle view(InterpreterView view) {
        Objects.requireNonNull(view, "view");
        if (!(view instanceof ViewHandle v) || v.lifecycle().runtimeId() != kernel.runtimeId()) {
            throw foreign("view", view);
        }
        return v;
    }

    private static IllegalArgumentException foreign(String what, Object handle) {
        return new IllegalArgumentException(what + " " + handle + " belongs to another runtime");
    }

    private static IllegalStateException closedGuard(InterpreterGuard guard) {
        return new IllegalStateException("guard " + guard + " is closed (T2: ensure needs an open guard)");
    }

    @Override
    public String toString() {
        return "thread states of runtime #" + kernel.runtimeId();
    }

    /** The token of one ensure (T5): immutable, its stamp names its frame. */
    private static final class Token implements ThreadStateToken {
        private final PerThread thread;
        private final long stamp;
        /** The state attached when the ensure returned: its frame's, for the one-compare releases. */
        private final State state;
        /** The guard the frame owns (ensureFromView, T3), released by the frame's release; else null. */
        private final ViewHandle.OwnedGuard owned;

        Token(PerThread thread, long stamp, State state, ViewHandle.OwnedGuard owned) {
            this.thread = thread;
            this.stamp = stamp;
            this.state = state;
            this.owned = owned;
        }

        @Override
        public void close() {
            thread.release(stamp, PerThread.ENSURE, state, owned);
        }

        @Override
        public String toString() {
            return "thread-state token #" + stamp + " of \"" + thread.owner.getName() + "\"";
        }
    }

    /** A detachment (T6): its close re-attaches, a late attach past the point of no return. */
    private static final class Detached implements Detachment {
        private final PerThread thread;
        private final long stamp;

        Detached(PerThread thread, long stamp) {
            this.thread = thread;
            this.stamp = stamp;
        }

        @Override
        public void close() {
            State s = thread.release(stamp, PerThread.DETACH, null, null);
            if (s.lifecycle.isPastPointOfNoReturn()) {
                s.lifecycle.lateAttach(); // never returns normally; the thread stays detached
            }
            thread.reattach(s);
        }

        @Override
        public String toString() {
            return "detachment #" + stamp + " of \"" + thread.owner.getName() + "\"";
        }
    }
}
