package dev.vigil.spi;

import dev.vigil.api.GuardInfo;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides what finalization does where the contract leaves it open (rule P2): how long to
 * wait on guards and threads and what then (a), what an interrupt does while a shutdown
 * waits (b), what a late attach gets (c) and what happens to a leaked guard (d).
 *
 * <p>The default methods are the built-in {@code daemon-hang} behaviour, CPython's: wait for
 * ever, print the report on an interrupt and keep waiting, park late attaches for ever,
 * report leaks and keep them counted. A policy overrides what it decides differently.
 *
 * <p>Implementations must be thread-safe and must not block: they are called by waiting
 * shutdowns, by threads attaching late and by the leak detector's thread. They must only
 * decide (P5): the runtime carries the decision out. A policy is identified by its
 * {@link #name()}; options are applied with {@link #withOptions(Map)}, which returns a
 * configured copy, so a policy instance never changes under a waiting shutdown.
 */
@ConsumerType
public interface FinalizationPolicy {

    /** The built-in default policy's name (P1). */
    String DAEMON_HANG = "daemon-hang";
    /** The name of the policy that aborts shutdown after a short grace. */
    String FAIL_FAST = "fail-fast";
    /** The name of the policy that interrupts holders after a timeout. */
    String TIMED_INTERRUPT = "timed-interrupt";

    /** The name users select this policy by; lower case, no dots. */
    String name();

    /**
     * A copy of this policy configured with {@code options} (P6), keyed by option name
     * without the policy prefix ({@code "timeout"}, not {@code "timed-interrupt.timeout"}).
     * Options not given keep their current value.
     *
     * @throws IllegalArgumentException naming the option and the value for an unknown
     *         option or a bad value; this policy is unchanged
     */
    default FinalizationPolicy withOptions(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("policy " + name() + " has no options, got " + options.keySet());
        }
        return this;
    }

    /** The current option values, by option name, for reports, shells and configuration UIs. */
    default Map<String, String> options() {
        return Map.of();
    }

    /**
     * P2a: called when a shutdown starts waiting on guards or threads, and again whenever
     * the decided deadline passes, holders were interrupted, or the active policy changed
     * (P4: the context's clock then still runs from when the wait began), and when the
     * shutdown is found in a wait-for cycle ({@link WaitContext#cycle()}). For an atexit hook
     * (phase {@code AT_EXIT}, {@link WaitContext#hook()}) the decision applies to the hook.
     */
    default WaitDecision onWait(WaitContext context) {
        return WaitDecision.waitForever();
    }

    /** P2b: an interrupt (Ctrl-C, {@code runtime.interrupt()}) reached a waiting shutdown. */
    default WaitDecision onInterrupt(WaitContext context) {
        return WaitDecision.waitForever().withReport();
    }

    /** P2c: a thread attaches to an interpreter past its point of no return without a guard. */
    default LateAttachDecision onLateAttach(LateAttachContext context) {
        return LateAttachDecision.parkForever();
    }

    /** P2d: a guard became unreachable without being closed. */
    default LeakDecision onLeak(GuardInfo leaked) {
        return LeakDecision.REPORT;
    }
}
