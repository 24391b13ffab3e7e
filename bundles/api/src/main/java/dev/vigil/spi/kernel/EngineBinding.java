package dev.vigil.spi.kernel;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The engine that runs an interpreter's code, as that interpreter's finalization sees it
 * (DESIGN.md §6): bound to the interpreter's lifecycle with
 * {@link InterpreterLifecycle#bindEngine}, told of the moments of the F1 loop that concern the
 * code it runs, and asked what the holders' threads run, for reports (F7).
 *
 * <p>Implemented by engines; called by the registry. Implementations must be thread-safe:
 * {@link #running()} may be called on the finalizing thread and on the thread that writes
 * progress lines at the same time.
 *
 * @since 1.2
 */
@ConsumerType
public interface EngineBinding {

    /**
     * What each thread running guest code in the interpreter runs now, by thread id: the
     * language and the source location, e.g. {@code js loop.js:2}; threads attached but not
     * running guest code are left out. Called while a finalization lists its open guards (each
     * policy decision, a progress line, a report), never on guard or attach paths. May block
     * briefly (a bounded look at where guest code is, some milliseconds); must not throw.
     */
    Map<Long, String> running();

    /**
     * The policy had the holders' threads interrupted (P3a, timed-interrupt), just now, on the
     * finalizing thread: make the guest code running in those threads stop if a thread interrupt
     * alone does not stop it. Must not block for long (hand waiting to a thread of the engine's);
     * an exception is reported in the finalization report and not propagated.
     */
    void holdersInterrupted();

    /**
     * The interpreter passed its point of no return (F1 step 5): called once, on the finalizing
     * thread, after the at-exit hooks ran and before the interpreter leaves the registry and is
     * {@code FINALIZED}, so that {@code shutdown} returns with what the engine holds for the
     * interpreter closed. Nothing can attach to the interpreter any more (a late attach, P2c).
     * Blocks while the engine closes; an exception is reported in the finalization report and
     * not propagated. Not called after an abort (F6): the interpreter runs on.
     */
    void pastPointOfNoReturn();
}
