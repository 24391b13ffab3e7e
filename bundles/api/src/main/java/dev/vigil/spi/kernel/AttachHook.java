package dev.vigil.spi.kernel;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An engine's side of attaching (DESIGN.md §6): told by the thread-state manager each time
 * the calling thread starts or stops running in an engine-backed interpreter, so that the
 * engine can enter or leave the interpreter's context (and, for a single-threaded language,
 * take or give back the interpreter's lock, as attaching takes the GIL in CPython).
 *
 * <p>Called only on transitions: a nested ensure on the state already attached (T1a) calls
 * nothing. Switching from interpreter A to B calls A's {@link #detached} before B's
 * {@link #attached}; the matching release calls B's {@code detached}, then A's
 * {@code attached} (switching nests, T1). Installed per interpreter with
 * {@link AttachHooks#install}; implemented by engines, called on the attaching thread.
 */
@ConsumerType
public interface AttachHook {

    /**
     * The calling thread becomes attached to {@code lifecycle}'s interpreter. May block (a
     * lock wait).
     *
     * @param lifecycle the interpreter's lifecycle, to check the point of no return and to
     *        carry out a late attach ({@link InterpreterLifecycle#lateAttach()})
     * @param mayFail true for an ensure, a legacy ensure or an interpreter thread's start: the
     *        hook may then throw an unchecked exception (an interrupted lock wait, a late
     *        attach), the attach fails and the thread is left as it was before it; false for
     *        a release restoring the state attached before it or a detachment's close: the
     *        hook must not throw then (it waits uninterruptibly, as CPython re-taking the GIL)
     */
    void attached(InterpreterLifecycle lifecycle, boolean mayFail);

    /** The calling thread stops being attached to {@code lifecycle}'s interpreter (a release,
     * a detach, a switch to another interpreter). Never blocks, never throws. */
    void detached(InterpreterLifecycle lifecycle);
}
