package dev.vigil.guards;

import dev.vigil.api.Interpreter;
import dev.vigil.spi.kernel.GuardHandle;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An open guard. Closing it passes one idempotence gate — so that a second close, on any
 * thread, is a no-op and can never release another holder's protection (G4) — and then one
 * atomic add on the interpreter's guard word, which wakes a waiting shutdown if this was the
 * last guard.
 *
 * <p>The gate: at diagnostics {@code off}, a CAS on the guard's own flag; at {@code simple}
 * and {@code full}, the CAS that frees the guard's entry in its holder's {@link Ledger}
 * (which also ends its listing), so a tracked guard costs no more atomic operations than an
 * untracked one. Thread-safe.
 */
final class Guard implements GuardHandle {

    private final InterpreterLifecycle lifecycle;
    /** The guard's entry in its holder's ledger; null at diagnostics off. */
    private final Ledger.Entry entry;
    /** The entry's incarnation that is this guard (odd); 0 at off. */
    private final int seq;
    /** Off only: 1 once closed. */
    @SuppressWarnings("unused")
    private volatile int closed;
    /** See {@link GuardHandle#threadStateHint()}; racy by contract. */
    private Object threadStateHint;

    /** An untracked guard (diagnostics off). */
    Guard(InterpreterLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.entry = null;
        this.seq = 0;
    }

    /** A guard listed as incarnation {@code seq} of {@code entry}. */
    Guard(InterpreterLifecycle lifecycle, Ledger.Entry entry, int seq) {
        this.lifecycle = lifecycle;
        this.entry = entry;
        this.seq = seq;
    }

    @Override
    public Interpreter interpreter() {
        return lifecycle.interpreter();
    }

    @Override
    public InterpreterLifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public boolean isOpen() {
        Ledger.Entry e = entry;
        return e == null ? closed == 0 : e.isOpen(seq);
    }

    @Override
    public void close() {
        Ledger.Entry e = entry;
        if (e == null ? !CLOSED.compareAndSet(this, 0, 1) : !e.close(seq)) {
            return;
        }
        lifecycle.releaseGuard();
        // keeps the guard reachable until it is uncounted: never reported as a leak meanwhile
        java.lang.ref.Reference.reachabilityFence(this);
    }

    @Override
    public Object threadStateHint() {
        return threadStateHint;
    }

    @Override
    public void threadStateHint(Object hint) {
        threadStateHint = hint;
    }

    @Override
    public String toString() {
        return "guard on " + lifecycle.interpreter().name() + (isOpen() ? "" : " (closed)");
    }

    // VarHandle mechanics
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Guard.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
