package dev.vigil.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The proof of one successful ensure (rule T5): opaque, and closing it is the release.
 *
 * <p>Not thread-safe: a token belongs to the thread that ensured it.
 */
@ProviderType
public interface ThreadStateToken extends AutoCloseable {

    /**
     * Releases the matching ensure (T4): restores the attachment that was in place before
     * it, discards a thread state the ensure created once its counter reaches zero, and
     * then closes a guard the ensure took from a view (T3).
     *
     * @throws IllegalStateException if called on another thread than the ensure, out of
     *         last-in-first-out order, or a second time; nothing is changed then
     */
    @Override
    void close();
}
