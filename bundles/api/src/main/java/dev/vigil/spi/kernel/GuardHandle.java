package dev.vigil.spi.kernel;

import dev.vigil.api.InterpreterGuard;
import org.osgi.annotation.versioning.ProviderType;

/** A guard made by the guards bundle, as the thread-state bundle sees it. */
@ProviderType
public interface GuardHandle extends InterpreterGuard {

    /** The guarded interpreter's lifecycle. */
    InterpreterLifecycle lifecycle();

    /**
     * A slot the thread-state bundle may use to remember, on the guard itself, the per-thread
     * state it last used the guard with, so that a repeated {@code ensure(guard)} on the same
     * thread skips a {@link ThreadLocal} lookup. Read and written without synchronization by
     * any thread: what is stored must be safe to read racily (final fields) and be checked
     * before use. Null until set.
     *
     * @since 1.1
     */
    Object threadStateHint();

    /** Sets {@link #threadStateHint()}. @since 1.1 */
    void threadStateHint(Object hint);
}
