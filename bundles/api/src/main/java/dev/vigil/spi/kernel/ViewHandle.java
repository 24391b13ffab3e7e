package dev.vigil.spi.kernel;

import dev.vigil.api.InterpreterView;
import org.osgi.annotation.versioning.ProviderType;

/** A view made by the guards bundle, as the thread-state bundle sees it. */
@ProviderType
public interface ViewHandle extends InterpreterView {

    /** The named interpreter's lifecycle; valid even after it finalized (V3). */
    InterpreterLifecycle lifecycle();

    /**
     * Takes a guard owned by the calling thread's state (T3), or returns {@code null} when
     * the interpreter is past its point of no return. At diagnostics {@code off} this
     * allocates nothing; otherwise the guard is listed (G6) as owned by a thread state.
     *
     * @throws IllegalStateException if this view is closed (V4)
     */
    OwnedGuard acquireOwned();

    /** A guard owned by a thread state; released exactly once by the matching release. */
    interface OwnedGuard {
        /** Releases the guard. Never throws. */
        void release();

        /** As {@link GuardHandle#threadStateHint()}. @since 1.1 */
        default Object threadStateHint() {
            return null;
        }

        /** As {@link GuardHandle#threadStateHint(Object)}. @since 1.1 */
        default void threadStateHint(Object hint) {
        }
    }
}
