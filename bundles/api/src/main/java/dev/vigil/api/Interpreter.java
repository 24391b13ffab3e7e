package dev.vigil.api;

import java.util.concurrent.ThreadFactory;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A handle on an interpreter. Holding it keeps nothing alive: to keep an interpreter from
 * finalizing take a guard ({@link InterpreterGuards}), to name it without keeping it alive
 * use a view.
 *
 * <p>Thread-safe. Ids are unique in the process and never reused (V3).
 */
@ProviderType
public interface Interpreter {

    /** The id of this interpreter, unique in the process and never reused. */
    long id();

    /** The name given at creation ({@code "main"} for a main interpreter). */
    String name();

    /** Whether this is its runtime's main interpreter. */
    boolean isMain();

    /** The current state; a snapshot that may be stale as soon as it is returned. */
    InterpreterState state();

    /**
     * A factory of threads born attached to this interpreter (rule H1). Non-daemon threads
     * are joined by {@link InterpreterRegistry#shutdown(Interpreter)} (F1 step 2); daemon
     * threads are not, and their attachment is revoked at the point of no return.
     *
     * <p>Once the interpreter is past the point of no return, {@code newThread} returns
     * {@code null}, as {@link ThreadFactory} specifies for a rejected request; a thread made
     * before but started after that point is a late attach (P2c) and does not run its task.
     */
    ThreadFactory threadFactory(boolean daemon);
}
