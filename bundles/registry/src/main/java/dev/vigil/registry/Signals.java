package dev.vigil.registry;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process's shutdown (rules S1, S3), owned by the runtime when it was asked to
 * ({@code vigil.signals=true}): SIGINT and SIGTERM handlers, and the same path for a shutdown
 * that a launcher starts for another cause (the end of its {@code -c} commands).
 *
 * <p>The first request — a signal or {@link #requestShutdown(String)} — starts a graceful
 * shutdown of the runtime under the active policy on a thread of its own, announced with its
 * real cause; every further SIGINT while it runs is an interrupt (P2b). When the shutdown
 * ends the process exits (S3): {@value #EXIT_COMPLETED} after a completed shutdown,
 * {@value #EXIT_ABORTED} after an abort, having printed the report. Thread-safe; the
 * methods never block.
 */
public final class Signals {

    /** Exit code after a completed shutdown (S3). */
    public static final int EXIT_COMPLETED = 0;
    /** Exit code after a shutdown the policy aborted (S3). */
    public static final int EXIT_ABORTED = 3;

    private final RegistryKernel kernel;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final SignalHandler previousInt;
    private final SignalHandler previousTerm;
    private volatile IntConsumer exit = System::exit;

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

    /**
     * Starts the process's shutdown as the first SIGTERM would, announcing {@code cause}
     * (e.g. {@code "end of -c commands"}), unless one is under way already.
     *
     * @return whether this call started it
     */
    public boolean requestShutdown(String cause) {
        if (!shuttingDown.compareAndSet(false, true)) {
            return false;
        }
        kernel.log(Notices.SIGNALS, System.Logger.Level.WARNING, "[vigil] " + cause
                + ": shutting down under policy " + kernel.policies().active()
                + (cause.equals("SIGINT") || cause.equals("SIGTERM") ? " (SIGINT again to interrupt the wait)"
                        : " (Ctrl-C interrupts the wait)"));
        Thread t = new Thread(this::shutdownAndExit, "vigil-signal-shutdown");
        t.start();
        return true;
    }

    /**
     * Ends the process through {@code exit} instead of {@link System#exit(int)}: a launcher
     * that must flush its console first. {@code exit} must end the process.
     */
    public void exitThrough(IntConsumer exit) {
        this.exit = java.util.Objects.requireNonNull(exit, "exit");
    }

    /**
     * Says that a shutdown not started here is under way (the framework stopping): from now on
     * a SIGINT interrupts it instead of starting another.
     */
    public void shutdownUnderWay() {
        shuttingDown.set(true);
    }

    private void onSignal(Signal signal) {
        String name = "SIG" + signal.getName();
        if (requestShutdown(name)) {
            return;
        }
        if (signal.getName().equals("INT")) {
            if (!kernel.interrupt()) {
                // Said, so that an operator (or a test) knows to try again once the wait began.
                kernel.log(Notices.SIGNALS, System.Logger.Level.INFO,
                        "[vigil] SIGINT: no shutdown is waiting yet; nothing to interrupt");
            }
        } else {
            kernel.log(Notices.SIGNALS, System.Logger.Level.INFO, "[vigil] " + name + ": a shutdown is already under way");
        }
    }

    private void shutdownAndExit() {
        int code;
        try {
            FinalizationReport report = kernel.shutdown();
            kernel.log(Notices.FINALIZATION, System.Logger.Level.INFO, report.toString());
            code = EXIT_COMPLETED;
        } catch (FinalizationAbortedException e) {
            kernel.log(Notices.FINALIZATION, System.Logger.Level.WARNING, e.report().toString());
            code = EXIT_ABORTED;
        }
        exit.accept(code);
    }
}
