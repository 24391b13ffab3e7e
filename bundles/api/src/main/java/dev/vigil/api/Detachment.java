package dev.vigil.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A detached stretch of a thread (rule T6), like {@code Py_BEGIN_ALLOW_THREADS}.
 *
 * <p>Not thread-safe: it belongs to the thread that detached.
 */
@ProviderType
public interface Detachment extends AutoCloseable {

    /**
     * Re-attaches the thread to the state it detached from. If that interpreter passed its
     * point of no return meanwhile and the attachment is not guarded, this is a late attach
     * (P2c): the active policy decides whether the thread parks or gets an exception.
     *
     * @throws IllegalStateException on another thread, out of order, or a second time
     * @throws InterpreterFinalizingException if the policy fails the late attach
     */
    @Override
    void close();
}
