package dev.vigil.spi;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.WaitCycle;
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

    /** What the shutdown waits on now: {@code JOIN_THREADS}, {@code AT_EXIT} (a hook, see {@link #hook()}) or
     * {@code WAIT_GUARDS}. */
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

    /**
     * The wait-for cycle this shutdown is part of, if its waits form one now (DESIGN.md §5):
     * the holders of what it waits on are themselves waiting — on another shutdown, on a late
     * attach — and the waits lead back to this one, so that none can end by waiting. Found
     * on this shutdown's side when its wait starts or re-decides (never on the guard and
     * ensure paths), and reported by the runtime, by name, before the policy is asked. The
     * cycle's first link is this shutdown; a guard held by its own thread (F5) is a cycle of
     * one link. Empty at diagnostics level {@code off} for cycles through guards (their
     * holders are not recorded).
     *
     * @since 1.1
     */
    default Optional<WaitCycle> cycle() {
        return Optional.empty();
    }

    /**
     * For phase {@code AT_EXIT}: the atexit hook this shutdown waits on, by name (its
     * {@code toString()} if it has one of its own, else where it was registered). A hook runs
     * on a thread of its own, so that a hung hook can be left behind: {@link #waited()} is
     * then the time since that hook started, and the decisions apply to it — WAIT goes on
     * waiting, INTERRUPT_HOLDERS interrupts the hook's thread, ABORT leaves the hook running
     * on its thread, reports it and goes on with the other hooks (it does not abort the
     * shutdown). Empty in the other phases.
     *
     * @since 1.1
     */
    default Optional<String> hook() {
        return Optional.empty();
    }
}
