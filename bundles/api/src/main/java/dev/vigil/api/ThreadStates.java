package dev.vigil.api;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Attaches threads to interpreters: ensure and release with nesting and interpreter
 * switching (rules T1–T8).
 *
 * <p>Thread-safe; each method acts on the calling thread's own state, platform or virtual
 * (T8). Nested ensures on an attached thread and re-attaching a thread's cached state
 * allocate nothing beyond the token, which escape analysis removes when the token is used
 * in a try-with-resources block.
 */
@ProviderType
public interface ThreadStates {

    /**
     * Attaches the calling thread to the guard's interpreter (T1) and returns the token
     * whose close releases it. Borrows the guard: the caller still closes it (T2).
     *
     * @throws IllegalStateException if the guard is closed
     * @throws IllegalArgumentException if the guard belongs to another runtime
     */
    ThreadStateToken ensure(InterpreterGuard guard);

    /**
     * Attaches the calling thread to the view's interpreter under a guard that the thread
     * state owns and closes at the matching release (T3). Empty, without an exception, when
     * the interpreter is finalizing or gone.
     *
     * @throws IllegalStateException if the view is closed
     * @throws IllegalArgumentException if the view belongs to another runtime
     */
    Optional<ThreadStateToken> ensureFromView(InterpreterView view);

    /**
     * The interpreter the calling thread is attached to, if any. An attachment revoked at
     * the interpreter's point of no return (F1) is still reported; the interpreter's
     * {@link Interpreter#state() state} then says it is finalizing or finalized.
     */
    Optional<Interpreter> current();

    /**
     * Gives up the calling thread's attachment around blocking work (T6).
     *
     * @throws IllegalStateException if the calling thread is not attached
     */
    Detachment detach();

    /**
     * Attaches the calling thread to the main interpreter without a guard, like
     * {@code PyGILState_Ensure} (T7). Shares the per-thread state with {@link #ensure}.
     * During main's finalization this is a late attach (P2c).
     *
     * @throws InterpreterFinalizingException if the policy fails the late attach
     */
    ThreadStateToken legacyEnsure();
}
