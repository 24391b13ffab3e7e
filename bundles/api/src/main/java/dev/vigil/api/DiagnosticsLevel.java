package dev.vigil.api;

import java.util.Locale;

/**
 * How much guard bookkeeping a runtime keeps (rule G6), in the manner of Netty's leak
 * detector levels. Set with {@code Vigil.builder().option("vigil.diagnostics", "full")} or the
 * system property {@code vigil.diagnostics}.
 *
 * <p>At {@code simple} and {@code full} each runtime runs one daemon thread,
 * {@code vigil-leak-watch-<runtime id>}, from the first guard a thread opens until the runtime
 * is closed (or, in OSGi, the guards bundle stops); it keeps the guard clock and finds leaks.
 */
public enum DiagnosticsLevel {
    /** Only the count in the guard word: no listing, no leak detection; the cheapest. */
    OFF,
    /**
     * The default. Every open guard is listed ({@code openGuards()}, shutdown reports) with its
     * holder — the thread that opened it — and its age, and holders can be interrupted; every
     * guard that becomes unreachable unclosed is found and reported, and the policy decides
     * about it (P2d). Each guard is counted in its holder thread's ledger rather than on the
     * interpreter's shared guard word, so threads guarding one interpreter do not contend.
     * What this level gives up for its speed ({@code ensureFromView} allocation-free):
     * <ul>
     * <li>Ages are measured on a clock the leak watch advances every 50 ms, not read per guard:
     *     an age may read up to about 50 ms (plus scheduling delay) more than it is, never less.
     * <li>Leaks are found later: a guard is watched for unreachability only once it has been
     *     open across two sweeps of the leak watch (100 ms apart), so a leaked guard is found
     *     100–200 ms after it was opened at the earliest, plus the next garbage collection.
     *     Every leak is still found (detection is complete, not sampled).
     * <li>No creation site is recorded.
     * </ul>
     */
    SIMPLE,
    /**
     * As {@link #SIMPLE}, plus the stack where each guard was opened, and every guard watched
     * for leaks from its open (found at the first garbage collection after it became
     * unreachable); costs a stack walk and a phantom reference per guard.
     */
    FULL;

    /**
     * Parses {@code off}, {@code simple} or {@code full}, in any case.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DiagnosticsLevel parse(String value) {
        java.util.Objects.requireNonNull(value, "value");
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "diagnostics level must be off, simple or full, not \"" + value + "\"");
        }
    }
}
