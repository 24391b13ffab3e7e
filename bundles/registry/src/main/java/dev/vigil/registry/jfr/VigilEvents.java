package dev.vigil.registry.jfr;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * The runtime's JFR events (DESIGN.md §7): finalizations, policy decisions and swaps, leaked
 * guards, late attaches, visible in {@code jfr print --categories Vigil} and JDK Mission
 * Control. Called only from finalization, policy and leak paths, never from guard or ensure
 * paths; when no recording enables an event, each method costs a volatile-free check and no
 * allocation beyond the event object. Where {@code jdk.jfr} is not visible (an OSGi framework
 * that does not export it: the import is optional) every method does nothing. Thread-safe.
 */
public final class VigilEvents {

    private static final boolean AVAILABLE = available();

    private VigilEvents() {
    }

    private static boolean available() {
        try {
            Class.forName("jdk.jfr.Event", false, VigilEvents.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A finished attempt, from its report. */
    public static void finalization(FinalizationReport r) {
        if (!AVAILABLE) {
            return;
        }
        FinalizationEvent e = new FinalizationEvent();
        if (!e.shouldCommit()) {
            return;
        }
        e.interpreter = r.interpreterName();
        e.interpreterId = r.interpreterId();
        e.initialPolicy = r.initialPolicy();
        e.policy = r.finalPolicy();
        e.outcome = r.outcome().name();
        e.abortReason = r.abortReason().orElse(null);
        e.phases = r.phases().entrySet().stream()
                .map(p -> p.getKey().name().toLowerCase(java.util.Locale.ROOT) + "=" + p.getValue().toMillis() + "ms")
                .collect(Collectors.joining(" "));
        e.waitGuards = r.phases().getOrDefault(FinalizationReport.Phase.WAIT_GUARDS, Duration.ZERO).toMillis();
        e.total = r.total().toMillis();
        e.rounds = r.rounds();
        e.interrupts = r.interruptsDelivered();
        e.guardsWaitedOn = r.openGuards().size();
        e.guardHolders = r.openGuards().stream().map(GuardInfo::holderThread).collect(Collectors.joining(", "));
        e.commit();
    }

    /** A policy's decision about a waiting shutdown. */
    public static void decision(String interpreter, String policy, String phase, Duration waited, Object decision) {
        if (!AVAILABLE) {
            return;
        }
        PolicyDecisionEvent e = new PolicyDecisionEvent();
        if (!e.shouldCommit()) {
            return;
        }
        e.interpreter = interpreter;
        e.policy = policy;
        e.phase = phase;
        e.waited = waited.toMillis();
        e.decision = String.valueOf(decision);
        e.commit();
    }

    /** The active policy changed. */
    public static void swap(long runtimeId, String from, String to) {
        if (!AVAILABLE) {
            return;
        }
        PolicySwapEvent e = new PolicySwapEvent();
        if (!e.shouldCommit()) {
            return;
        }
        e.runtimeId = runtimeId;
        e.from = from;
        e.to = to;
        e.commit();
    }

    /** A leaked guard and the policy's decision about it. */
    public static void leak(GuardInfo g, String policy, Object decision) {
        if (!AVAILABLE) {
            return;
        }
        LeakedGuardEvent e = new LeakedGuardEvent();
        if (!e.shouldCommit()) {
            return;
        }
        e.interpreter = g.interpreterName();
        e.holderThread = g.holderThread();
        e.age = g.age().toMillis();
        e.owner = g.owner().orElse(null);
        e.policy = policy;
        e.decision = String.valueOf(decision);
        e.commit();
    }

    /** A late attach the policy failed, after parking for {@code parked}. */
    public static void lateAttach(String interpreter, String thread, String policy, Duration parked,
            boolean interrupted) {
        if (!AVAILABLE) {
            return;
        }
        LateAttachEvent e = new LateAttachEvent();
        if (!e.shouldCommit()) {
            return;
        }
        e.interpreter = interpreter;
        e.thread = thread;
        e.policy = policy;
        e.parked = parked.toMillis();
        e.interrupted = interrupted;
        e.commit();
    }
}
