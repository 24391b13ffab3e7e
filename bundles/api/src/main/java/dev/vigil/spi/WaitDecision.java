package dev.vigil.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a waiting shutdown does next (P2a, P2b). Immutable.
 */
public final class WaitDecision {

    /** The kinds of decision. */
    public enum Kind {
        /** Keep waiting, for ever or until a deadline on the wait's clock. */
        WAIT,
        /** Interrupt the threads holding open guards and the running non-daemon threads,
         * then ask {@link FinalizationPolicy#onWait} again. */
        INTERRUPT_HOLDERS,
        /** Abort the shutdown (F6). */
        ABORT
    }

    private static final WaitDecision FOREVER = new WaitDecision(Kind.WAIT, null, null, null, false);
    private static final WaitDecision INTERRUPT = new WaitDecision(Kind.INTERRUPT_HOLDERS, null, null, null, false);

    private final Kind kind;
    private final Duration until;
    private final String reason;
    private final String notice;
    private final boolean report;

    private WaitDecision(Kind kind, Duration until, String reason, String notice, boolean report) {
        this.kind = kind;
        this.until = until;
        this.reason = reason;
        this.notice = notice;
        this.report = report;
    }

    /** Wait until the condition holds, however long that takes. */
    public static WaitDecision waitForever() {
        return FOREVER;
    }

    /** Wait until the condition holds or the wait's clock reaches {@code deadline}, then ask again. */
    public static WaitDecision waitUntil(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        return new WaitDecision(Kind.WAIT, deadline, null, null, false);
    }

    /** Interrupt the holders' threads, then ask again. */
    public static WaitDecision interruptHolders() {
        return INTERRUPT;
    }

    /** Abort the shutdown (F6) for this reason. */
    public static WaitDecision abort(String reason) {
        return new WaitDecision(Kind.ABORT, null, Objects.requireNonNull(reason, "reason"), null, false);
    }

    /** This decision, and a one-line notice printed when it is carried out. */
    public WaitDecision withNotice(String text) {
        return new WaitDecision(kind, until, reason, Objects.requireNonNull(text, "text"), report);
    }

    /** This decision, and the report so far printed when it is carried out. */
    public WaitDecision withReport() {
        return new WaitDecision(kind, until, reason, notice, true);
    }

    public Kind kind() { return kind; }
    /** For {@link Kind#WAIT}: the deadline on the wait's clock, empty for ever. */
    public Optional<Duration> until() { return Optional.ofNullable(until); }
    /** For {@link Kind#ABORT}: why. */
    public Optional<String> reason() { return Optional.ofNullable(reason); }
    public Optional<String> notice() { return Optional.ofNullable(notice); }
    public boolean printsReport() { return report; }

    @Override
    public String toString() {
        return switch (kind) {
            case WAIT -> until == null ? "wait for ever" : "wait until " + until.toMillis() + " ms";
            case INTERRUPT_HOLDERS -> "interrupt holders";
            case ABORT -> "abort: " + reason;
        };
    }
}
