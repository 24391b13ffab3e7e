package dev.vigil.spi.kernel;

import dev.vigil.api.Interpreter;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The finalization-facing side of one interpreter: its guard word and late attaches.
 * Provided by the registry; thread-safe and lock-free except {@link #lateAttach()}.
 *
 * <p>A guard is counted in one of two places. A <em>word guard</em> is a count on the guard
 * word ({@link #tryAcquireGuard()}, {@link #releaseGuard()}). A <em>ledger guard</em> is
 * counted by the guards bundle in its holder thread's own memory, where the registry reads it
 * through {@link GuardDirectory#ledgerGuards(long)} when it decides the point of no return and
 * while it waits (F1 steps 4 and 5), so that opening and closing one writes nothing shared (DESIGN.md
 * section 4). Its protocol: the opener publishes the guard with a volatile write and then calls
 * {@link #confirmLedgerGuard()}; whoever closes it unpublishes it with a volatile write or
 * an atomic update and then calls {@link #ledgerGuardReleased()}.
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

    /**
     * Confirms a ledger guard the calling thread has just published (see the type's javadoc):
     * true if it stands, false if the interpreter is past its point of no return (G5), and then
     * the caller unpublishes it and calls {@link #ledgerGuardReleased()}. A volatile read of the
     * guard word; only while the finalizer is deciding the point of no return (microseconds)
     * does it spin until the decision is made. Never throws.
     *
     * @since 1.2
     */
    boolean confirmLedgerGuard();

    /**
     * A ledger guard was just unpublished (see the type's javadoc): wakes a shutdown waiting
     * on guards, which then counts again (G4, F2). One volatile read of the guard word unless
     * a shutdown waits. Never blocks, never throws.
     *
     * @since 1.2
     */
    void ledgerGuardReleased();

    /** Whether the interpreter passed its point of no return (F1 step 5). One volatile read. */
    boolean isPastPointOfNoReturn();

    /** The number of guards counted now: word guards and ledger guards. */
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
