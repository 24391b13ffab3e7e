package dev.vigil.cdi;

import dev.vigil.api.Interpreter;
import java.util.Objects;

/**
 * CDI event: a shutdown of {@link #interpreter()} began (rule F1 step 1), before it waits on
 * anything. Observers tell their work on that interpreter to stop — worker threads to end,
 * loops to leave — and return promptly.
 *
 * <p>Fired synchronously on the thread that runs the shutdown, once per shutdown attempt
 * (again after an aborted attempt is retried, see {@link FinalizationAborted}), for the main
 * interpreter and for every subinterpreter created through the injected
 * {@link dev.vigil.api.InterpreterRegistry}. Finalizing the main interpreter finalizes its
 * subinterpreters first (F3), so observers see the main interpreter's event first, then each
 * subinterpreter's. An observer's exception is reported in the finalization report and
 * does not stop the shutdown. Observers run outside any request context.
 *
 * @param interpreter the interpreter whose finalization was requested
 */
public record FinalizationRequested(Interpreter interpreter) {

    /** @throws NullPointerException if {@code interpreter} is null */
    public FinalizationRequested {
        Objects.requireNonNull(interpreter, "interpreter");
    }
}
