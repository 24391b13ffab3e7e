package dev.vigil.guards;

import dev.vigil.api.Interpreter;
import dev.vigil.spi.kernel.GuardHandle;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An open guard. Closing it is one CAS on its own flag (so that a second close, on any
 * thread, is a no-op and can never release another holder's protection, G4) and then one
 * atomic add on the interpreter's guard word, which wakes a waiting shutdown if this was
 * the last guard.
 */
final class Guard implements GuardHandle {

    private final InterpreterLifecycle lifecycle;
    /** The bookkeeping at diagnostics simple/full; null at off. */
    private final Track track;
    @SuppressWarnings("unused")
    private volatile int closed;

    Guard(InterpreterLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.track = null;
    }

    Guard(InterpreterLifecycle lifecycle, Track track) {
        this.lifecycle = lifecycle;
        this.track = track;
        track.watch(this);
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
        return closed == 0;
    }

    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        if (track == null) {
            lifecycle.releaseGuard();
        } else {
            track.release();
            // keeps the guard reachable until its track is released: no false leak report
            java.lang.ref.Reference.reachabilityFence(this);
        }
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
