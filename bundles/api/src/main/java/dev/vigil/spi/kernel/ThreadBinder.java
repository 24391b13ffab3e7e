package dev.vigil.spi.kernel;

import org.osgi.annotation.versioning.ProviderType;

/** Attaches an interpreter thread at birth (H1); provided by the thread-state bundle. */
@ProviderType
public interface ThreadBinder {

    /**
     * Runs {@code task} on the calling thread attached, without a guard, to the interpreter
     * of {@code lifecycle}, and detaches afterwards. A late attach (P2c) if that interpreter
     * is past its point of no return.
     */
    void runAttached(InterpreterLifecycle lifecycle, Runnable task);
}
