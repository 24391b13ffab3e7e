package dev.vigil.cdi;

import dev.vigil.api.FinalizationReport;
import java.util.Objects;

/**
 * CDI event: an interpreter is {@code FINALIZED}; {@link #report()} says how it went (F7).
 *
 * <p>Fired synchronously, once per interpreter, on the thread whose shutdown completed, after
 * it completed — for a main interpreter after each of its subinterpreters' events. Covers
 * interpreters shut down through the injected {@link dev.vigil.api.InterpreterRegistry} or
 * {@link dev.vigil.api.VigilRuntime}, and the container's own shutdown of the runtime.
 *
 * @param report the report of the completed finalization
 */
public record InterpreterFinalized(FinalizationReport report) {

    /** @throws NullPointerException if {@code report} is null */
    public InterpreterFinalized {
        Objects.requireNonNull(report, "report");
    }

    /** The id of the finalized interpreter. */
    public long interpreterId() {
        return report.interpreterId();
    }

    /** The name of the finalized interpreter. */
    public String interpreterName() {
        return report.interpreterName();
    }
}
