package dev.vigil.registry;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM handlers (rule S1), installed only when asked ({@code vigil.signals=true}):
 * the first signal starts a graceful shutdown of the runtime under the active policy on a
 * thread of its own; every further SIGINT while it runs is an interrupt (P2b). When the
 * shutdown ends the process exits (S3): {@value #EXIT_COMPLETED} after a completed shutdown,
 * {@value #EXIT_ABORTED} after an abort, having printed the report.
 */
final class Signals {

    /** Exit code after a completed shutdown (S3). */
    static final int EXIT_COMPLETED = 0;
    /** Exit code after a shutdown the policy aborted (S3). */
    static final int EXIT_ABORTED = 3;

    private final RegistryKernel kernel;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final SignalHandler previousInt;
    private final SignalHandler previousTerm;

    private Signals(RegistryKernel kernel) {
        this.kernel = kernel;
        this.previousInt = Signal.handle(new Signal("INT"), this::onSignal);
        this.previousTerm = Signal.handle(new Signal("TERM"), this::onSignal);
    }

    static Signals install(RegistryKernel kernel) {
        return new Signals(kernel);
    }

    void uninstall() {
        Signal.handle(new Signal("INT"), previousInt);
        Signal.handle(new Signal("TERM"), previousTerm);
    }

    private void onSignal(Signal signal) {
        if (shuttingDown.compareAndSet(false, true)) {
            kernel.notice("[vigil] SIG" + signal.getName() + ": shutting down under policy " + kernel.policies().active()
                    + " (SIGINT again to interrupt the wait)");
            Thread t = new Thread(this::shutdownAndExit, "vigil-signal-shutdown");
            t.start();
        } else if (signal.getName().equals("INT")) {
            if (!kernel.interrupt()) {
                // Said, so that an operator (or a test) knows to try again once the wait began.
                kernel.notice("[vigil] SIGINT: no shutdown is waiting yet; nothing to interrupt");
            }
        } else {
            kernel.notice("[vigil] SIG" + signal.getName() + ": a shutdown is already under way");
        }
    }

    private void shutdownAndExit() {
        int code;
        try {
            FinalizationReport report = kernel.shutdown();
            kernel.notice(report.toString());
            code = EXIT_COMPLETED;
        } catch (FinalizationAbortedException e) {
            kernel.notice(e.report().toString());
            code = EXIT_ABORTED;
        }
        System.exit(code);
    }
}
