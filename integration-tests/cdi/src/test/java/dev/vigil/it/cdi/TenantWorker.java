package dev.vigil.it.cdi;

import dev.vigil.api.Interpreter;
import dev.vigil.api.ThreadStates;
import dev.vigil.cdi.FinalizationRequested;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a worker on a non-daemon interpreter thread (H1), which shutdown joins (F1 step 2),
 * and stops it when the finalization of its interpreter is requested (F1 step 1) — the
 * observer is what lets the shutdown finish.
 */
@ApplicationScoped
public class TenantWorker {

    @Inject
    ThreadStates threadStates;

    private volatile Interpreter interpreter;
    private volatile CountDownLatch stop;
    private volatile CompletableFuture<String> outcome;

    /**
     * Starts the worker on {@code interpreter} and returns once it runs; it ends when
     * stopped, or after the bound. (Waiting until it runs matters: the registry counts a
     * non-daemon thread from when it runs, not from {@code start()}, so a shutdown right
     * after {@code start()} could miss it and make it a late attach.)
     *
     * @return what the worker reports when it ends: the interpreter it was attached to and why it stopped
     */
    public CompletableFuture<String> start(Interpreter interpreter) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch stopSignal = new CountDownLatch(1);
        CompletableFuture<String> result = new CompletableFuture<>();
        this.interpreter = interpreter;
        this.stop = stopSignal;
        this.outcome = result;
        Thread t = interpreter.threadFactory(false).newThread(() -> {
            String attached = threadStates.current().map(Interpreter::name).orElse("<not attached>");
            running.countDown();
            try {
                boolean stopped = stopSignal.await(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
                result.complete(attached + (stopped ? ": stopped" : ": never stopped"));
            } catch (InterruptedException e) {
                result.complete(attached + ": interrupted");
            }
        });
        t.start();
        if (!running.await(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("worker did not start running on " + interpreter);
        }
        return result;
    }

    void stopOnFinalizationRequested(@Observes FinalizationRequested event) {
        Interpreter mine = interpreter;
        if (mine != null && mine.id() == event.interpreter().id()) {
            stop.countDown();
        }
    }
}
