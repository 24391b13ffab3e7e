package dev.vigil.api;

import java.util.Locale;

/**
 * How much guard bookkeeping a runtime keeps (rule G6), in the manner of Netty's leak
 * detector levels. Set with {@code Vigil.builder().option("vigil.diagnostics", "full")} or the
 * system property {@code vigil.diagnostics}.
 */
public enum DiagnosticsLevel {
    /** Only the count in the guard word: no listing, no leak detection; the cheapest. */
    OFF,
    /** Each guard is listed with holder thread and age and watched for leaks (P2d). The default. */
    SIMPLE,
    /** As {@link #SIMPLE}, plus the stack where each guard was opened; costs a stack walk per guard. */
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
