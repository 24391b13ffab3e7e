package dev.vigil.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One Vigil runtime: its own main interpreter, subinterpreters, guards, thread states and
 * policies. Several may live in one JVM, independent of each other.
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface VigilRuntime extends AutoCloseable {

    InterpreterRegistry registry();

    InterpreterGuards guards();

    ThreadStates threadStates();

    Policies policies();

    /**
     * Delivers an interrupt, as Ctrl-C does (rule S2): every shutdown of this runtime that
     * is waiting asks the active policy what to do (P2b), and parked late attaches
     * re-decide.
     *
     * @return whether any shutdown was waiting to receive it
     */
    boolean interrupt();

    /**
     * Shuts the runtime down ({@code registry().shutdown()}) and releases what it installed
     * (signal handlers). Idempotent once it completed.
     *
     * @throws FinalizationAbortedException if the policy aborted; the runtime stays usable
     */
    @Override
    void close();
}
