package dev.vigil.spi;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a waiting shutdown shows its policy (P2a, P2b). A snapshot, read-only.
 */
@ProviderType
public interface WaitContext {

    /** The interpreter being finalized. */
    Interpreter interpreter();

    /** What the shutdown waits on now: {@code JOIN_THREADS} or {@code WAIT_GUARDS}. */
    FinalizationReport.Phase phase();

    /** Time since this shutdown first had to wait; the policy's clock (P4). */
    Duration waited();

    /** Interrupts delivered to this shutdown so far, including the one being decided. */
    int interrupts();

    /** When (on the {@link #waited()} clock) the holders' threads were interrupted, if they were. */
    Optional<Duration> holdersInterruptedAt();

    /** The guards open now. */
    List<GuardInfo> openGuards();

    /** The non-daemon interpreter threads running now. */
    List<String> threads();
}
