package dev.vigil.registry;

/**
 * The logger names of a runtime's notices, by area (DESIGN.md §7), so that operators can
 * route or silence each: what the levels mean is said where each is used.
 */
public final class Notices {

    /** Finalization reports, a policy's notices while a shutdown waits, failing hooks and listeners. */
    public static final String FINALIZATION = "dev.vigil.finalization";
    /** The periodic line of a waiting shutdown ({@code vigil.progress}). */
    public static final String PROGRESS = "dev.vigil.progress";
    /** Leaked guards (P2d). */
    public static final String LEAK = "dev.vigil.leak";
    /** Policies: failures deciding, refused options, swaps. */
    public static final String POLICY = "dev.vigil.policy";
    /** What started the process's shutdown (S1), interrupts by signal. */
    public static final String SIGNALS = "dev.vigil.signals";
    /** The runtime's configuration in a container (refused values). */
    public static final String CONFIG = "dev.vigil.config";

    private Notices() {
    }
}
