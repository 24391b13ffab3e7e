package dev.vigil.api;

/**
 * The interpreter is past its point of no return (or gone), so it cannot be guarded or
 * attached to.
 */
public class InterpreterFinalizingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long interpreterId;

    public InterpreterFinalizingException(long interpreterId, String message) {
        super(message);
        this.interpreterId = interpreterId;
    }

    /** The id of the interpreter that is finalizing. */
    public long interpreterId() {
        return interpreterId;
    }
}
