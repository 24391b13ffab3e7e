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
     * The number of open ledger guards (see {@link InterpreterLifecycle}) this directory counts
     * for interpreter {@code interpreterId}, or for every interpreter if it is {@code -1}.
     * Reads every holder thread's ledger: for the point of no return, a waiting shutdown and
     * operators, never for a guard path. A ledger guard published before this call's volatile
     * reads began is counted unless it was unpublished before they reached it; after
     * {@link #close()} the count never grows. Never blocks.
     *
     * @since 1.2
     */
    default int ledgerGuards(long interpreterId) {
        return 0;
    }

    /**
     * The runtime is disposed ({@link Kernel#dispose()}): stop whatever this directory runs
     * (threads, timers) and drop per-thread values, so that nothing of it outlives the
     * runtime. Guards still open stay counted; guards opened after it are word guards. Idempotent;
     * never throws.
     *
     * @since 1.1
     */
    default void close() {
    }
}
