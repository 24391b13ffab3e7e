package dev.vigil.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Names an interpreter without keeping it alive (rule V2): promote it with
 * {@link InterpreterGuards#fromView(InterpreterView)} or
 * {@link ThreadStates#ensureFromView(InterpreterView)}.
 *
 * <p>Thread-safe; may be used and closed on any thread.
 */
@ProviderType
public interface InterpreterView extends AutoCloseable {

    /** The id of the named interpreter (ids are never reused, V3). */
    long interpreterId();

    /** Whether this view is still open. */
    boolean isOpen();

    /** Closes this view. Idempotent, never throws (V4); promoting it afterwards throws
     * {@link IllegalStateException}. */
    @Override
    void close();
}
