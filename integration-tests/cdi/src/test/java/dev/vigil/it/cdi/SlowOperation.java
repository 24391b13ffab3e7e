package dev.vigil.it.cdi;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A bean that holds a guard of an interpreter across a slow operation, the explicit way (or leaks one). */
@ApplicationScoped
public class SlowOperation {

    @Inject
    InterpreterGuards guards;

    /**
     * Runs the slow operation (the gate) under a guard of {@code interpreter}; the guard
     * closes however it ends.
     *
     * @return how the gate ended, or {@code "finalizing"} if no guard could be obtained (G2)
     */
    @SuppressWarnings("try") // the guard is only held, and closed by try-with-resources
    public String run(Interpreter interpreter, Gate gate) {
        try (InterpreterView view = guards.viewOf(interpreter)) {
            var guard = guards.fromView(view);
            if (guard.isEmpty()) {
                return "finalizing";
            }
            try (InterpreterGuard held = guard.get()) {
                return gate.hold();
            }
        }
    }

    /** Takes a guard of {@code interpreter} and drops it without closing it: a leak (P2d). */
    public void leakGuard(Interpreter interpreter) {
        guards.fromView(guards.viewOf(interpreter)).orElseThrow();
    }
}
