package dev.vigil.guards;

import dev.vigil.api.Interpreter;
import dev.vigil.spi.kernel.GuardHandle;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An open guard. Closing it passes one idempotence gate — so that a second close, on any
 * thread, is a no-op and can never release another holder's protection (G4) — and then
 * uncounts it, which wakes a waiting shutdown if need be (F2).
 *
 * <p>Two kinds, so that each is 24 bytes: {@link Untracked} (diagnostics {@code off}, or a
 * closed book), a word guard whose gate is a CAS on its own flag; {@link Tracked}
 * ({@code simple}, {@code full}), a ledger guard whose gate is the CAS that frees its entry in
 * its holder's {@link Ledger} — which also ends its listing and its count, so that the close
 * of a tracked guard is that one CAS and a read of the guard word. Thread-safe.
 */
abstract sealed class Guard implements GuardHandle permits Guard.Untracked, Guard.Tracked {

    final InterpreterLifecycle lifecycle;

    private Guard(InterpreterLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public final Interpreter interpreter() {
        return lifecycle.interpreter();
    }

    @Override
    public final InterpreterLifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public final String toString() {
        return "guard on " + lifecycle.interpreter().name() + (isOpen() ? "" : " (closed)");
    }

    /** A guard that is only its count on the guard word (diagnostics off). */
    static final class Untracked extends Guard {
        @SuppressWarnings("unused")
        private volatile int closed;
        /** See {@link GuardHandle#threadStateHint()}; racy by contract. */
        private Object threadStateHint;

        Untracked(InterpreterLifecycle lifecycle) {
            super(lifecycle);
        }

        @Override
        public boolean isOpen() {
            return closed == 0;
        }

        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                lifecycle.releaseGuard();
            }
        }

        @Override
        public Object threadStateHint() {
            return threadStateHint;
        }

        @Override
        public void threadStateHint(Object hint) {
            threadStateHint = hint;
        }

        // VarHandle mechanics
        private static final VarHandle CLOSED;

        static {
            try {
                CLOSED = MethodHandles.lookup().findVarHandle(Untracked.class, "closed", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * A guard listed as incarnation {@code seq} of {@code entry} (diagnostics simple, full).
     * Its thread-state hint is its holder's ledger's, shared by every guard that thread opens.
     */
    static final class Tracked extends Guard {
        private final Ledger.Entry entry;
        /** The entry's incarnation that is this guard (odd). */
        private final int seq;

        Tracked(InterpreterLifecycle lifecycle, Ledger.Entry entry, int seq) {
            super(lifecycle);
            this.entry = entry;
            this.seq = seq;
        }

        @Override
        public boolean isOpen() {
            return entry.isOpen(seq);
        }

        @Override
        public void close() {
            if (entry.close(seq)) {
                lifecycle.ledgerGuardReleased();
                // keeps the guard reachable until it is uncounted: never reported as a leak meanwhile
                java.lang.ref.Reference.reachabilityFence(this);
            }
        }

        @Override
        public Object threadStateHint() {
            return entry.threadStateHint();
        }

        @Override
        public void threadStateHint(Object hint) {
            entry.threadStateHint(hint);
        }
    }
}
