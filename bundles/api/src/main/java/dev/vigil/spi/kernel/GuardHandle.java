package dev.vigil.spi.kernel;

import dev.vigil.api.InterpreterGuard;
import org.osgi.annotation.versioning.ProviderType;

/** A guard made by the guards bundle, as the thread-state bundle sees it. */
@ProviderType
public interface GuardHandle extends InterpreterGuard {

    /** The guarded interpreter's lifecycle. */
    InterpreterLifecycle lifecycle();

    /**
     * A slot the thread-state bundle may use to remember, with the guard, the per-thread
     * state it last used for the guard's holder, so that an {@code ensure(guard)} on that
     * thread skips a {@link ThreadLocal} lookup. Read and written without synchronization:
     * what is stored must be safe to read racily (final fields) and be checked before use; an
     * implementation may ignore a set (then this returns null or an older value).
     *
     * @since 1.1
     */
    default Object threadStateHint() {
        return null;
    }

    /** Sets {@link #threadStateHint()}, or ignores it. @since 1.1 */
    default void threadStateHint(Object hint) {
    }
}
