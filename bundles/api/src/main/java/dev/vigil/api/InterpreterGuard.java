package dev.vigil.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Holds its interpreter's finalization off while open (rule G3).
 *
 * <p>Thread-safe: a guard may be closed on any thread, attached or not (G4).
 */
@ProviderType
public interface InterpreterGuard extends AutoCloseable {

    /** The guarded interpreter. */
    Interpreter interpreter();

    /** Whether this guard is still open. */
    boolean isOpen();

    /**
     * Releases this guard's protection. Never throws, never blocks, idempotent: a second
     * close of the same guard object does nothing (G4). Closing the last open guard of an
     * interpreter wakes a waiting shutdown at once. Actions before {@code close()}
     * happen-before the interpreter passes its point of no return.
     */
    @Override
    void close();
}
