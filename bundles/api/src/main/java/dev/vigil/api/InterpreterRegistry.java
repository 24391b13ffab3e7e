package dev.vigil.api;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The interpreters of one runtime, and their shutdown.
 *
 * <p>Thread-safe. Methods taking an {@link Interpreter} throw {@link IllegalArgumentException}
 * for an interpreter of another runtime.
 */
@ProviderType
public interface InterpreterRegistry {

    /** This runtime's main interpreter. */
    Interpreter main();

    /**
     * Creates a subinterpreter.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws InterpreterFinalizingException if the main interpreter is past the point of no return
     */
    Interpreter create(String name);

    /** The live interpreter with this id; empty once it is finalized (it left the registry). */
    Optional<Interpreter> lookup(long id);

    /** The live interpreters, main first, then subinterpreters in creation order. */
    List<Interpreter> interpreters();

    /**
     * Finalizes {@code interpreter} by the loop of rule F1 under the active policy and
     * returns its report (F7). Blocks while it waits on threads and guards, for as long as
     * the policy says. Concurrent calls for one interpreter share one finalization and its
     * outcome (F4); a call after it finalized returns the same report at once. Finalizing
     * the main interpreter finalizes every subinterpreter first (F3).
     *
     * <p>An interrupt of the calling thread while it waits is delivered to the policy as an
     * interrupt (P2b), like {@code runtime.interrupt()}; the thread's interrupt status is set
     * again when this method returns or throws.
     *
     * @throws FinalizationAbortedException if the policy aborted (F6): the interpreter is
     *         {@link InterpreterState#RUNNING} again and the call may be retried
     * @throws IllegalStateException if called, while the interpreter's finalization runs, from
     *         that finalization (a listener or hook) or from one of the interpreter's running
     *         non-daemon threads, which that finalization waits for: it would wait for itself
     */
    FinalizationReport shutdown(Interpreter interpreter);

    /** Finalizes the main interpreter, and so every interpreter of this runtime. */
    FinalizationReport shutdown();

    /**
     * Registers a hook run once, during F1 step 3 of a shutdown of {@code interpreter}, hooks
     * registered later running first. A hook's exception is reported, not propagated.
     *
     * @throws InterpreterFinalizingException if the interpreter is past the point of no return
     */
    void atExit(Interpreter interpreter, Runnable hook);

    /**
     * Registers a listener told, once per shutdown attempt and before anything waits, that
     * finalization of {@code interpreter} was requested (F1 step 1): the moment to tell
     * worker threads to stop. A listener's exception is reported, not propagated.
     *
     * @throws InterpreterFinalizingException if the interpreter is past the point of no return
     */
    void onFinalizationRequested(Interpreter interpreter, Runnable listener);
}
