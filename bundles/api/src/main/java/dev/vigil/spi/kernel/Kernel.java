package dev.vigil.spi.kernel;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.Policies;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LeakDecision;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One runtime's core, provided by the registry bundle: its interpreters, their lifecycles,
 * its policies. The guards and thread-state bundles are built on it. Thread-safe.
 */
@ProviderType
public interface Kernel {

    /** This runtime's id, unique in the process. */
    long runtimeId();

    InterpreterRegistry registry();

    Policies policies();

    /**
     * The lifecycle of one of this runtime's interpreters.
     *
     * @throws NullPointerException if {@code interpreter} is null
     * @throws IllegalArgumentException if it belongs to another runtime
     */
    InterpreterLifecycle lifecycle(Interpreter interpreter);

    /** The guard bookkeeping level chosen for this runtime (G6). */
    DiagnosticsLevel diagnostics();

    /** Reports a leaked guard (P2d) and returns the active policy's decision about it. */
    LeakDecision guardLeaked(GuardInfo leaked);

    /** Connects the guard directory the registry consults while finalizing. */
    void bindGuards(GuardDirectory directory);

    /**
     * Disconnects {@code directory} if it is the one bound (a guards bundle stopping), so that
     * the kernel keeps no reference to it; until another binds, nothing is listed.
     *
     * @since 1.1
     */
    void unbindGuards(GuardDirectory directory);

    /** Connects the binder that attaches interpreter threads (H1) at birth. */
    void bindThreadBinder(ThreadBinder binder);

    /** Delivers an interrupt (S2). Returns whether a shutdown was waiting to receive it. */
    boolean interrupt();

    /**
     * Makes a policy available (P4), configured with the options this runtime holds for its
     * name. With the highest ranking among those installed, it becomes active unless a
     * policy was chosen by name.
     *
     * @throws IllegalArgumentException if the held options do not fit the policy
     */
    void installPolicy(FinalizationPolicy policy, int ranking);

    /** Removes an installed policy; if it was active, the next one (highest ranking, else
     * the built-in default) becomes active and waiting shutdowns re-decide. */
    void uninstallPolicy(FinalizationPolicy policy);

    /**
     * Forgets the policy chosen by name ({@link Policies#use(String)}): the highest ranking
     * installed policy, else the built-in default, becomes active, and waiting shutdowns
     * re-decide (P1, P4). What a container does when its {@code policy} setting is cleared.
     */
    void useRanking();

    /**
     * Replaces the options of the named policy (P6), all or none.
     *
     * @throws IllegalArgumentException for an unknown option or bad value; the previous
     *         options stay
     */
    void configurePolicy(String name, Map<String, String> options);

    /** Prints a notice where this runtime's notices go. */
    void notice(String text);

    /**
     * Logs where this runtime's notices go, under a logger named by area
     * ({@code dev.vigil.leak}, {@code dev.vigil.finalization}, ...) at {@code level}. The
     * default hands the text to {@link #notice(String)}.
     *
     * @since 1.1
     */
    default void log(String logger, System.Logger.Level level, String text) {
        notice(text);
    }

    /**
     * Releases what the runtime installed (signal handlers) and closes the bound guard
     * directory ({@link GuardDirectory#close()}). Does not shut down.
     */
    void dispose();
}
