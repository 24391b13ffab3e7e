package dev.vigil.policy.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.policy.testing.ShutdownHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Named daemon threads for a test whose results come back through futures, every wait bounded
 * by {@link ShutdownHarness#BOUND}; {@link #joinAll()} fails the test if one outlives it.
 */
final class Threads {

    private final List<Thread> started = new ArrayList<>();

    /** Runs {@code task} on a new daemon thread named {@code name}. */
    <T> CompletableFuture<T> start(String name, Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(task.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        started.add(t);
        t.start();
        return f;
    }

    /** The thread started last. */
    Thread last() {
        return started.get(started.size() - 1);
    }

    /** Joins every thread started, each within the bound. */
    void joinAll() throws InterruptedException {
        for (Thread t : started) {
            t.join(ShutdownHarness.BOUND.toMillis());
            assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
        }
    }

    /** The report of the shutdown {@code f} ran, which must end aborted (F6) within the bound. */
    static FinalizationReport abortedReport(CompletableFuture<FinalizationReport> f) throws Exception {
        try {
            FinalizationReport r = f.get(ShutdownHarness.BOUND.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("completed instead of aborting:\n" + r);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(FinalizationAbortedException.class);
            return ((FinalizationAbortedException) e.getCause()).report();
        }
    }
}
