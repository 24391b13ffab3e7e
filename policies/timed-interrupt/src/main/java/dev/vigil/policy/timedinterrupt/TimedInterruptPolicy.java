package dev.vigil.policy.timedinterrupt;

import dev.vigil.api.GuardInfo;
import dev.vigil.api.WaitCycle;
import dev.vigil.spi.DurationOptions;
import dev.vigil.spi.Durations;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LateAttachContext;
import dev.vigil.spi.LateAttachDecision;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code timed-interrupt} finalization policy (DESIGN.md P3, third column):
 * <ol type="a">
 * <li>a shutdown waits up to {@code timeout} (default 5 s) on open guards and running
 *     non-daemon threads, then has the holders' threads interrupted, waits
 *     {@code interruptGrace} (default 1 s) more, counted from when they were interrupted, and
 *     then aborts (F6). In a wait-for cycle, which no wait can end, the victim (the shutdown of
 *     the cycle whose wait began last) interrupts the holders at once, without the timeout;
 *     a holder that is itself a shutdown of the cycle receives that as an interrupt and
 *     aborts, which ends the cycle. An atexit hook is waited on the same way, on its own
 *     clock: its thread is interrupted after {@code timeout}, and {@code interruptGrace}
 *     later it is left running and the other hooks go on;</li>
 * <li>an interrupt (Ctrl-C) during the first {@code interruptDelay} (default 1 s) of the wait
 *     is ignored with a one-line notice and the deadline stays; a later one acts as if
 *     {@code timeout} had expired: the holders are interrupted now, then the grace runs. In a
 *     wait-for cycle an interrupt aborts the shutdown at once;</li>
 * <li>a late attach parks until its thread or the runtime is interrupted, or until
 *     {@code timeout} on the park's clock, then fails with
 *     {@code InterpreterFinalizingException};</li>
 * <li>a leaked guard is reported and reclaimed, so that it no longer holds shutdown off.</li>
 * </ol>
 *
 * <p>All times are on the wait's clock ({@link WaitContext#waited()}), which runs from when the
 * shutdown first had to wait, also when this policy became active during the wait (P4). The
 * policy keeps no state of its own: whether the holders were interrupted, and when, comes from
 * {@link WaitContext#holdersInterruptedAt()}.
 *
 * <p>Immutable and thread-safe; {@link #withOptions(Map)} returns a configured copy. Found by
 * {@link java.util.ServiceLoader}; in OSGi, {@link TimedInterruptComponent} registers it.
 */
public final class TimedInterruptPolicy implements FinalizationPolicy {

    /** How long a shutdown waits before the holders are interrupted; also bounds a late attach's park. */
    public static final String TIMEOUT = "timeout";
    /** How long a shutdown waits after interrupting the holders before it aborts. */
    public static final String INTERRUPT_GRACE = "interruptGrace";
    /** How long from the start of the wait an interrupt (Ctrl-C) is ignored. */
    public static final String INTERRUPT_DELAY = "interruptDelay";

    private static final DurationOptions DEFAULTS = DurationOptions.of(TIMED_INTERRUPT, defaults());

    private final DurationOptions options;
    private final Duration timeout;
    private final Duration interruptGrace;
    private final Duration interruptDelay;

    /** A timed-interrupt policy with the default options (5 s, 1 s, 1 s). */
    public TimedInterruptPolicy() {
        this(DEFAULTS);
    }

    private TimedInterruptPolicy(DurationOptions options) {
        this.options = options;
        this.timeout = options.get(TIMEOUT);
        this.interruptGrace = options.get(INTERRUPT_GRACE);
        this.interruptDelay = options.get(INTERRUPT_DELAY);
    }

    private static Map<String, Duration> defaults() {
        Map<String, Duration> m = new LinkedHashMap<>();
        m.put(TIMEOUT, Duration.ofSeconds(5));
        m.put(INTERRUPT_GRACE, Duration.ofSeconds(1));
        m.put(INTERRUPT_DELAY, Duration.ofSeconds(1));
        return m;
    }

    @Override
    public String name() {
        return TIMED_INTERRUPT;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for an option other than {@code timeout},
     *         {@code interruptGrace} and {@code interruptDelay}, or a value that is not a
     *         duration, naming both; this policy is unchanged
     */
    @Override
    public TimedInterruptPolicy withOptions(Map<String, String> changes) {
        return new TimedInterruptPolicy(options.with(changes));
    }

    @Override
    public Map<String, String> options() {
        return options.asStrings();
    }

    /**
     * P3a: before the holders were interrupted, wait until {@code timeout}, then interrupt
     * them; after, wait until {@code interruptGrace} past that moment, then abort.
     */
    @Override
    public WaitDecision onWait(WaitContext context) {
        Optional<Duration> interruptedAt = context.holdersInterruptedAt();
        if (interruptedAt.isEmpty() && context.cycle().filter(WaitCycle::observerIsVictim).isPresent()) {
            return WaitDecision.interruptHolders().withNotice("wait-for cycle " + context.cycle().get().threads()
                    + ": interrupting the holders at once, aborting " + Durations.format(interruptGrace)
                    + " (interruptGrace) later if they do not let go");
        }
        if (interruptedAt.isEmpty()) {
            return context.waited().compareTo(timeout) >= 0
                    ? WaitDecision.interruptHolders()
                    : WaitDecision.waitUntil(timeout);
        }
        Duration abortAt = interruptedAt.get().plus(interruptGrace);
        if (context.waited().compareTo(abortAt) >= 0) {
            return WaitDecision.abort("the holders were interrupted at " + interruptedAt.get().toMillis()
                    + " ms and had not let go " + Durations.format(interruptGrace) + " later (interruptGrace)");
        }
        return WaitDecision.waitUntil(abortAt);
    }

    /**
     * P3b: during the first {@code interruptDelay} of the wait, ignored with a notice (the
     * deadline stays what {@link #onWait} says); after, as if {@code timeout} had expired.
     */
    @Override
    public WaitDecision onInterrupt(WaitContext context) {
        if (context.cycle().isPresent()) {
            return WaitDecision.abort("interrupted while in a wait-for cycle (" + context.cycle().get().threads()
                    + "), which no wait can end");
        }
        if (context.holdersInterruptedAt().isPresent()) {
            return onWait(context); // past the timeout already: the grace keeps running
        }
        if (context.waited().compareTo(interruptDelay) < 0) {
            return onWait(context).withNotice("interrupt ignored: the shutdown has waited "
                    + context.waited().toMillis() + " ms, less than interruptDelay " + Durations.format(interruptDelay)
                    + "; interrupt again later to interrupt the holders");
        }
        return WaitDecision.interruptHolders().withNotice("interrupt after " + context.waited().toMillis()
                + " ms: interrupting the holders now, aborting " + Durations.format(interruptGrace)
                + " (interruptGrace) later if they do not let go");
    }

    /** P3c: park until interrupted or until {@code timeout} on the park's clock, then fail. */
    @Override
    public LateAttachDecision onLateAttach(LateAttachContext context) {
        if (context.interrupted() || context.parked().compareTo(timeout) >= 0) {
            return LateAttachDecision.fail();
        }
        return LateAttachDecision.parkUntil(timeout);
    }

    /** P3d: a leaked guard is reclaimed. */
    @Override
    public LeakDecision onLeak(GuardInfo leaked) {
        return LeakDecision.RECLAIM;
    }

    @Override
    public String toString() {
        return "timed-interrupt policy " + options();
    }
}
