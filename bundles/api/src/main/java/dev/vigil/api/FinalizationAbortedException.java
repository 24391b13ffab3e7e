package dev.vigil.api;

import java.util.Objects;

/**
 * The active policy aborted a shutdown (rule F6). The interpreter is
 * {@link InterpreterState#RUNNING} again, its guards and attachments work, and the shutdown
 * may be retried.
 */
public class FinalizationAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient FinalizationReport report;

    public FinalizationAbortedException(FinalizationReport report) {
        super("shutdown of " + Objects.requireNonNull(report, "report").interpreterName()
                + " aborted by policy " + report.finalPolicy() + ": " + report.abortReason().orElse("")
                + System.lineSeparator() + report);
        this.report = report;
    }

    /** The report of the aborted finalization (F7). */
    public FinalizationReport report() {
        return report;
    }
}
