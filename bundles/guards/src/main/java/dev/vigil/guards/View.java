package dev.vigil.guards;

import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;

/**
 * A view: the interpreter's lifecycle and a closed flag, nothing that holds finalization
 * off (V2). Promoting it is an attempt on the guard word, which fails for good once the
 * interpreter passed its point of no return, even after it left the registry (V3).
 *
 * <p>At diagnostics {@code off}, a view is also the {@link OwnedGuard} that
 * {@link #acquireOwned()} returns, so that {@code ensureFromView} allocates nothing: the
 * owned guard is only a count on the guard word.
 */
final class View implements ViewHandle, ViewHandle.OwnedGuard {

    private final GuardBook book;
    private final InterpreterLifecycle lifecycle;
    private final String owner;
    private volatile boolean closed;
    /**
     * The first thread that opened a guard through this view (diagnostics simple, full), set
     * once by CAS; see GuardBook#ledger(View). Other threads compare it with themselves, so
     * that they read only this view, never the holder's ledger, which its holder writes on
     * every open (false sharing measured: 2-thread open+close several times slower).
     */
    private volatile Thread hintHolder;
    /** {@link #hintHolder}'s ledger, written (after the CAS) and read by that thread only. */
    private Ledger ledgerHint;

    View(GuardBook book, InterpreterLifecycle lifecycle, String owner) {
        this.book = book;
        this.lifecycle = lifecycle;
        this.owner = owner;
    }

    @Override
    public long interpreterId() {
        return lifecycle.interpreter().id();
    }

    @Override
    public InterpreterLifecycle lifecycle() {
        return lifecycle;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Throws if closed (V4). */
    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("view of interpreter #" + interpreterId() + " is closed (V4)");
        }
    }

    @Override
    public OwnedGuard acquireOwned() {
        checkOpen();
        if (!book.tracking()) {
            return lifecycle.tryAcquireGuard() ? this : null;
        }
        return book.openOwned(lifecycle, owner, this);
    }

    /** Releases an owned guard taken at diagnostics off. */
    @Override
    public void release() {
        lifecycle.releaseGuard();
    }

    /**
     * The calling thread's ledger in {@code of} if it holds this view's hint, else null. A view
     * may be used with another book of its runtime (the guards bundle restarted while the
     * user kept the view); its hint is a ledger of its own book, which the other book must
     * never count a guard in (G3: a retired book's ledgers stop being counted).
     */
    Ledger hintFor(Thread me, GuardBook of) {
        return hintHolder == me && book == of ? ledgerHint : null;
    }

    /** Makes {@code l} (the calling thread's ledger in {@code of}) this view's hint, if no thread has taken it yet. */
    void offerHint(Ledger l, GuardBook of) {
        if (book == of && hintHolder == null && HINT_HOLDER.compareAndSet(this, null, l.holder)) {
            ledgerHint = l;
        }
    }

    private static final java.lang.invoke.VarHandle HINT_HOLDER;

    static {
        try {
            HINT_HOLDER = java.lang.invoke.MethodHandles.lookup().findVarHandle(View.class, "hintHolder", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public String toString() {
        return "view of interpreter #" + interpreterId() + (closed ? " (closed)" : "");
    }
}
