package dev.vigil.spi;

/** What happens to a guard that became unreachable unclosed (P2d). */
public enum LeakDecision {
    /** Report it; it stays counted, so finalization keeps waiting on it. */
    REPORT,
    /** Report it and close it on the leaker's behalf. */
    RECLAIM
}
