package dev.vigil.spi.kernel;

import dev.vigil.api.GuardInfo;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What the registry asks of the guards bundle while it finalizes. Thread-safe. */
@ProviderType
public interface GuardDirectory {

    /** The open guards of an interpreter, oldest first (G6); empty at diagnostics off. */
    List<GuardInfo> openGuards(long interpreterId);

    /** Interrupts the threads that opened the open guards of an interpreter; returns how many. */
    int interruptHolders(long interpreterId);

    /**
     * The runtime is disposed ({@link Kernel#dispose()}): stop whatever this directory runs
     * (threads, timers) and drop per-thread values, so that nothing of it outlives the
     * runtime. Guards still open stay counted. Idempotent; never throws.
     *
     * @since 1.1
     */
    default void close() {
    }
}
