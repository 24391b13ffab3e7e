package dev.vigil.it.cdi;

import dev.vigil.api.Detachment;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.ThreadStates;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a daemon interpreter thread (H1) that detaches around blocking work (T6) and attaches
 * again when the gate opens; if the interpreter finalized meanwhile, that is a late attach
 * (P2c), whose outcome the active policy decides (P3c).
 */
@ApplicationScoped
public class LateAttacher {

    @Inject
    ThreadStates threadStates;

    /** The thread, for the tests to watch it park; set by {@link #start}. */
    private volatile Thread thread;

    /**
     * Starts the thread; it enters the gate detached.
     *
     * @return {@code "attached again"}, or {@code "InterpreterFinalizingException"} if the late
     *         attach failed
     */
    @SuppressWarnings("try") // the detachment is only closed (re-attaching), by try-with-resources
    public CompletableFuture<String> start(Interpreter interpreter, Gate gate) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread t = interpreter.threadFactory(true).newThread(() -> {
            try {
                try (Detachment detached = threadStates.detach()) {
                    gate.hold();
                }
                outcome.complete("attached again");
            } catch (InterpreterFinalizingException e) {
                outcome.complete("InterpreterFinalizingException");
            } catch (RuntimeException | Error e) {
                outcome.completeExceptionally(e);
            }
        });
        thread = t;
        t.start();
        return outcome;
    }

    public Thread thread() {
        return thread;
    }
}
