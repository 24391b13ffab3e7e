package dev.vigil.cdi;

import dev.vigil.api.FinalizationReport;
import java.util.Objects;

/**
 * CDI event: the active policy aborted a shutdown (rule F6). The interpreter is
 * {@code RUNNING} again; observers that stopped work on {@link FinalizationRequested} may
 * start it again. Fired synchronously on the thread whose shutdown was aborted, before the
 * {@link dev.vigil.api.FinalizationAbortedException} reaches its caller.
 *
 * @param report the report of the aborted finalization, {@code abortReason()} saying why
 */
public record FinalizationAborted(FinalizationReport report) {

    /** @throws NullPointerException if {@code report} is null */
    public FinalizationAborted {
        Objects.requireNonNull(report, "report");
    }
}
