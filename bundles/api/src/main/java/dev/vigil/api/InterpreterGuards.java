package dev.vigil.api;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Makes guards (rules G1–G6) and views (V1–V4).
 *
 * <p>Thread-safe and lock-free. At diagnostics {@code off} obtaining and closing a guard is
 * one atomic update each of the interpreter's guard word (shared by every thread); at
 * {@code simple} (the default) and {@code full} a guard is counted and listed in its holder
 * thread's own ledger instead, so that obtaining it writes only memory of the calling thread
 * and closing it is one compare-and-set on its ledger entry: threads guarding one interpreter
 * do not contend. Obtaining a guard spins only while a shutdown is deciding its point of no
 * return (microseconds). Methods taking an interpreter throw
 * {@link IllegalArgumentException} for an interpreter of another runtime; methods taking a
 * view throw it for a view of another runtime.
 */
@ProviderType
public interface InterpreterGuards {

    /**
     * A guard for the interpreter the calling thread is attached to (G1).
     *
     * @throws IllegalStateException if the calling thread is not attached
     * @throws InterpreterFinalizingException if that interpreter is past the point of no return
     */
    InterpreterGuard fromCurrent();

    /**
     * Promotes a view to a guard (G2). Needs no attachment. Empty, without an exception,
     * when the interpreter is finalizing or gone; the view stays usable.
     *
     * @throws IllegalStateException if the view is closed (V4)
     */
    Optional<InterpreterGuard> fromView(InterpreterView view);

    /**
     * A view of the interpreter the calling thread is attached to (V1).
     *
     * @throws IllegalStateException if the calling thread is not attached
     */
    InterpreterView viewOfCurrent();

    /** A view of the main interpreter; needs no attachment (V1). */
    InterpreterView viewOfMain();

    /** A view of {@code interpreter}, in any state; needs no attachment (V1). */
    InterpreterView viewOf(Interpreter interpreter);

    /**
     * A snapshot of every open guard of this runtime (G6), oldest first. Empty at diagnostics
     * level {@code off}, where guards are only counted.
     */
    List<GuardInfo> openGuards();
}
