package dev.vigil.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** What a late attach gets (P2c). Immutable. */
public final class LateAttachDecision {

    /** The kinds of decision. */
    public enum Kind {
        /** Park, for ever or until a deadline on the park's clock, then ask again. */
        PARK,
        /** Throw {@code InterpreterFinalizingException}. */
        FAIL
    }

    private static final LateAttachDecision FOREVER = new LateAttachDecision(Kind.PARK, null);
    private static final LateAttachDecision FAIL = new LateAttachDecision(Kind.FAIL, null);

    private final Kind kind;
    private final Duration until;

    private LateAttachDecision(Kind kind, Duration until) {
        this.kind = kind;
        this.until = until;
    }

    /** Park for ever, as a CPython daemon thread does; re-decided on interrupts and policy swaps. */
    public static LateAttachDecision parkForever() {
        return FOREVER;
    }

    /** Park until {@code deadline} on the park's clock, then ask again. */
    public static LateAttachDecision parkUntil(Duration deadline) {
        return new LateAttachDecision(Kind.PARK, Objects.requireNonNull(deadline, "deadline"));
    }

    /** Fail the attach with {@code InterpreterFinalizingException}. */
    public static LateAttachDecision fail() {
        return FAIL;
    }

    public Kind kind() { return kind; }
    public Optional<Duration> until() { return Optional.ofNullable(until); }

    @Override
    public String toString() {
        return kind == Kind.FAIL ? "fail" : until == null ? "park for ever" : "park until " + until.toMillis() + " ms";
    }
}
