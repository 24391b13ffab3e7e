package dev.vigil.benchmarks;

import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;

/**
 * Builds the runtimes the benchmarks measure: the default policy ({@code daemon-hang}) and the
 * diagnostics level under test, set the way a user sets it ({@code vigil.diagnostics}).
 */
final class Runtimes {

    /** The diagnostics levels every Vigil benchmark runs at; {@code simple} is the default. */
    static final String PARAM_NAME = "diagnostics";

    private Runtimes() {
    }

    /** A new runtime at {@code diagnostics} ({@code off}, {@code simple} or {@code full}). */
    static VigilRuntime build(String diagnostics) {
        return Vigil.builder().option("vigil.diagnostics", diagnostics).build();
    }
}
