package dev.vigil.engine.polyglot;

/**
 * An attach to an engine-backed interpreter that did not happen: the wait for a
 * single-threaded interpreter's lock was interrupted or timed out (DESIGN.md §6). The thread is
 * left as it was before the attempt; an interrupted wait leaves the thread's interrupt status
 * set.
 */
public final class AttachException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long interpreterId;

    AttachException(long interpreterId, String message) {
        super(message);
        this.interpreterId = interpreterId;
    }

    /** The id of the interpreter the thread tried to attach to. */
    public long interpreterId() {
        return interpreterId;
    }
}
