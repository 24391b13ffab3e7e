package dev.vigil.api;

/**
 * The life cycle of an interpreter (rule F8). States only move forward, except that an
 * aborted shutdown (F6) returns an interpreter from {@link #SHUTTING_DOWN} to {@link #RUNNING}.
 */
public enum InterpreterState {
    /** Accepting guards, attachments, threads and hooks. */
    RUNNING,
    /** A shutdown runs steps 1–4 of F1; guards can still be obtained. */
    SHUTTING_DOWN,
    /** Past the point of no return: no guard can ever be obtained again (G5). */
    FINALIZING,
    /** Finalized and gone from its registry. */
    FINALIZED
}
