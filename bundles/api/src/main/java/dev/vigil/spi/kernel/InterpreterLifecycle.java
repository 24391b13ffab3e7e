package dev.vigil.spi.kernel;

import dev.vigil.api.Interpreter;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The finalization-facing side of one interpreter: its guard word and late attaches.
 * Provided by the registry; thread-safe and lock-free except {@link #lateAttach()}.
 */
@ProviderType
public interface InterpreterLifecycle {

    /** The interpreter this lifecycle belongs to. */
    Interpreter interpreter();

    /** The id of the runtime the interpreter belongs to. */
    long runtimeId();

    /**
     * Counts one more guard, unless the interpreter is past its point of no return (G3, G5).
     * One atomic add on the guard word; never blocks.
     *
     * @return whether the guard was counted
     */
    boolean tryAcquireGuard();

    /** Uncounts one guard counted by {@link #tryAcquireGuard()}; wakes a waiting shutdown
     * if it was the last (G4, F2). Never blocks, never throws. */
    void releaseGuard();

    /** Whether the interpreter passed its point of no return (F1 step 5). One volatile read. */
    boolean isPastPointOfNoReturn();

    /** The number of guards counted now. */
    int openGuardCount();

    /**
     * Carries out the active policy's decision for a late attach by the calling thread (P2c):
     * parks (re-deciding on interrupts, deadlines and policy swaps) and, when the policy says
     * fail, throws. Never returns normally.
     *
     * @throws dev.vigil.api.InterpreterFinalizingException when the policy fails the attach
     */
    void lateAttach();
}
