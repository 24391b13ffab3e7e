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

    /**
     * Binds the engine that runs this interpreter's code (DESIGN.md §6): from now on the
     * interpreter's finalizations name what its holders run, relay holder interrupts to it and
     * tell it when the point of no return is passed ({@link EngineBinding}). At most one engine
     * per interpreter.
     *
     * @throws NullPointerException if {@code engine} is null
     * @throws IllegalStateException if an engine is bound already
     * @throws dev.vigil.api.InterpreterFinalizingException if the interpreter is past its point
     *         of no return
     * @since 1.2
     */
    void bindEngine(EngineBinding engine);

    /**
     * Unbinds {@code engine} if it is the one bound (an engine closing while the interpreter
     * lives on), so that the interpreter keeps no reference to it. Never throws.
     *
     * @since 1.2
     */
    void unbindEngine(EngineBinding engine);
}
