package dev.vigil.policy.failfast;

import dev.vigil.api.FinalizationReport.Phase;
import dev.vigil.api.WaitCycle;
import dev.vigil.spi.DurationOptions;
import dev.vigil.spi.Durations;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LateAttachContext;
import dev.vigil.spi.LateAttachDecision;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code fail-fast} finalization policy (DESIGN.md P3, second column): (a) a shutdown
 * waits at most {@code grace} (default 100 ms) on open guards and running non-daemon threads,
 * then aborts (F6) — at once, without the grace, if the wait is the victim of a wait-for cycle
 * (the shutdown of the cycle whose wait began last: one shutdown of a cycle aborts, so the
 * others can go on; a guard held by the finalizing thread itself, F5, is such a cycle); an
 * atexit hook gets {@code grace} too, then it is left running and the other hooks go on;
 * (b) an interrupt aborts it at once; (c) a late attach fails with
 * {@code InterpreterFinalizingException}; (d) a leaked guard is reported and stays counted
 * (the {@link FinalizationPolicy} default).
 *
 * <p>The grace is measured on the wait's clock ({@link WaitContext#waited()}), which runs from
 * when the shutdown first had to wait, also when this policy became active during the wait
 * (P4): swapped in after the grace has passed, it aborts at once.
 *
 * <p>Immutable and thread-safe; {@link #withOptions(Map)} returns a configured copy. Found by
 * {@link java.util.ServiceLoader}; in OSGi, {@link FailFastComponent} registers it.
 */
public final class FailFastPolicy implements FinalizationPolicy {

    /** The option bounding the wait, a duration ({@code 500ms}, {@code 2s}, {@code PT2S}). */
    public static final String GRACE = "grace";

    private static final DurationOptions DEFAULTS =
            DurationOptions.of(FAIL_FAST, Map.of(GRACE, Duration.ofMillis(100)));

    private final DurationOptions options;
    private final Duration grace;

    /** A fail-fast policy with the default options ({@code grace} 100 ms). */
    public FailFastPolicy() {
        this(DEFAULTS);
    }

    private FailFastPolicy(DurationOptions options) {
        this.options = options;
        this.grace = options.get(GRACE);
    }

    @Override
    public String name() {
        return FAIL_FAST;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for an option other than {@code grace} or a value that
     *         is not a duration, naming both; this policy is unchanged
     */
    @Override
    public FailFastPolicy withOptions(Map<String, String> changes) {
        return new FailFastPolicy(options.with(changes));
    }

    @Override
    public Map<String, String> options() {
        return options.asStrings();
    }

    /** P3a: wait until the grace has passed on the wait's clock, then abort; the victim of a cycle aborts at once. */
    @Override
    public WaitDecision onWait(WaitContext context) {
        if (context.cycle().filter(WaitCycle::observerIsVictim).isPresent()) {
            return WaitDecision.abort("in a wait-for cycle (" + context.cycle().get().threads()
                    + "), which no wait can end; this shutdown is the one of the cycle that aborts");
        }
        if (context.waited().compareTo(grace) >= 0) {
            return WaitDecision.abort("still waiting on " + what(context) + " after "
                    + context.waited().toMillis() + " ms (grace " + Durations.format(grace) + ")");
        }
        return WaitDecision.waitUntil(grace);
    }

    /** P3b: an interrupt aborts at once. */
    @Override
    public WaitDecision onInterrupt(WaitContext context) {
        return WaitDecision.abort("interrupted while waiting on " + what(context) + " after "
                + context.waited().toMillis() + " ms");
    }

    /** P3c: a late attach fails at once. */
    @Override
    public LateAttachDecision onLateAttach(LateAttachContext context) {
        return LateAttachDecision.fail();
    }

    private static String what(WaitContext context) {
        if (context.hook().isPresent()) {
            return context.hook().get();
        }
        return context.phase() == Phase.JOIN_THREADS ? "running non-daemon threads " + context.threads() : "open guards";
    }

    @Override
    public String toString() {
        return "fail-fast policy " + options();
    }
}
