package dev.vigil.registry.jfr;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.GuardInfo;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;
import jdk.jfr.ValueDescriptor;

/**
 * The runtime's JFR events (DESIGN.md §7), visible in {@code jfr print --categories Vigil} and
 * JDK Mission Control: {@code dev.vigil.Finalization}, {@code dev.vigil.PolicyDecision},
 * {@code dev.vigil.PolicySwap}, {@code dev.vigil.LeakedGuard}, {@code dev.vigil.LateAttach}.
 *
 * <p>Implementation notes. The event types are made with {@link EventFactory}, not as
 * subclasses of {@link Event}: JFR instruments an event class to call handler classes in
 * {@code jdk.jfr.internal}, which a bundle's class loader cannot see in an OSGi framework
 * (JDK 17 fails the commit with {@code NoClassDefFoundError}); factory-made events live in
 * JFR's own loader. They are registered when the first runtime is built ({@link #register()}),
 * and every method first asks whether a recording enables its type, so with no recording a
 * call costs that check only. Called only from finalization, policy and leak paths, never from
 * guard or ensure paths. Where {@code jdk.jfr} is not visible (a framework that does not
 * export it: the bundle imports it optionally) or cannot be set up, every method does nothing.
 * Thread-safe.
 */
public final class VigilEvents {

    private VigilEvents() {
    }

    /** The event types; initialized on first use of {@link VigilEvents}' methods. */
    private static final class Types {
        static final EventFactory FINALIZATION = type("dev.vigil.Finalization", "Vigil Finalization", "Finalization",
                "One attempt to finalize an interpreter: outcome, policies, phases, the guards it waited on",
                text("interpreter", "Interpreter"), number(long.class, "interpreterId", "Interpreter Id"),
                text("initialPolicy", "Initial Policy"), text("policy", "Final Policy"), text("outcome", "Outcome"),
                text("abortReason", "Abort Reason"), text("phases", "Phases"),
                millis("waitGuards", "Wait Guards"), millis("total", "Total"), number(int.class, "rounds", "Rounds"),
                number(int.class, "interrupts", "Interrupts Delivered"),
                number(int.class, "guardsWaitedOn", "Guards Waited On"), text("guardHolders", "Guard Holders"));
        static final EventFactory DECISION = type("dev.vigil.PolicyDecision", "Vigil Policy Decision", "Policy",
                "What the active policy decided for a waiting shutdown",
                text("interpreter", "Interpreter"), text("policy", "Policy"), text("phase", "Phase"),
                millis("waited", "Waited"), text("decision", "Decision"));
        static final EventFactory SWAP = type("dev.vigil.PolicySwap", "Vigil Policy Swap", "Policy",
                "The active policy changed", number(long.class, "runtimeId", "Runtime Id"), text("from", "From"),
                text("to", "To"));
        static final EventFactory LEAK = type("dev.vigil.LeakedGuard", "Vigil Leaked Guard", "Guards",
                "A guard became unreachable without being closed", text("interpreter", "Interpreter"),
                text("holderThread", "Holder Thread"), millis("age", "Age"), text("owner", "Owner"),
                text("policy", "Policy"), text("decision", "Decision"));
        static final EventFactory LATE_ATTACH = type("dev.vigil.LateAttach", "Vigil Late Attach", "Threads",
                "A thread attached past an interpreter's point of no return and was failed",
                text("interpreter", "Interpreter"), text("thread", "Thread"), text("policy", "Policy"),
                millis("parked", "Parked"), number(boolean.class, "interrupted", "Interrupted"));

        private static EventFactory type(String name, String label, String category, String description,
                ValueDescriptor... fields) {
            return EventFactory.create(List.of(new AnnotationElement(Name.class, name),
                    new AnnotationElement(Label.class, label),
                    new AnnotationElement(Category.class, new String[] {"Vigil", category}),
                    new AnnotationElement(Description.class, description)), List.of(fields));
        }

        private static ValueDescriptor text(String name, String label) {
            return new ValueDescriptor(String.class, name, List.of(new AnnotationElement(Label.class, label)));
        }

        private static ValueDescriptor number(Class<?> type, String name, String label) {
            return new ValueDescriptor(type, name, List.of(new AnnotationElement(Label.class, label)));
        }

        private static ValueDescriptor millis(String name, String label) {
            return new ValueDescriptor(long.class, name, List.of(new AnnotationElement(Label.class, label),
                    new AnnotationElement(Timespan.class, Timespan.MILLISECONDS)));
        }
    }

    private static final boolean AVAILABLE = available();

    private static boolean available() {
        try {
            Class.forName("jdk.jfr.EventFactory", false, VigilEvents.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Registers the event types with JFR now (a runtime's construction calls this): a type
     * registered while a recording runs misses that recording's first events, so registering at
     * the first finalization would lose its decisions. Costs once per class loader.
     */
    public static void register() {
        start(() -> Types.FINALIZATION);
    }

    /** An event of {@code type} if a recording enables it, else null; fields are set in declaration order. */
    private static Event start(java.util.function.Supplier<EventFactory> type) {
        if (!AVAILABLE) {
            return null;
        }
        try {
            EventFactory f = type.get();
            return f.getEventType().isEnabled() ? f.newEvent() : null;
        } catch (RuntimeException | LinkageError e) {
            return null; // JFR unusable here: events are an aid, never a failure
        }
    }

    private static void commit(Event e, Object... values) {
        for (int i = 0; i < values.length; i++) {
            e.set(i, values[i]);
        }
        e.commit();
    }

    /** A finished attempt, from its report. */
    public static void finalization(FinalizationReport r) {
        Event e = start(() -> Types.FINALIZATION);
        if (e == null) {
            return;
        }
        commit(e, r.interpreterName(), r.interpreterId(), r.initialPolicy(), r.finalPolicy(), r.outcome().name(),
                r.abortReason().orElse(null),
                r.phases().entrySet().stream().map(p -> p.getKey().name().toLowerCase(Locale.ROOT) + "="
                        + p.getValue().toMillis() + "ms").collect(Collectors.joining(" ")),
                r.phases().getOrDefault(FinalizationReport.Phase.WAIT_GUARDS, Duration.ZERO).toMillis(),
                r.total().toMillis(), r.rounds(), r.interruptsDelivered(), r.openGuards().size(),
                r.openGuards().stream().map(GuardInfo::holderThread).collect(Collectors.joining(", ")));
    }

    /** A policy's decision about a waiting shutdown. */
    public static void decision(String interpreter, String policy, String phase, Duration waited, Object decision) {
        Event e = start(() -> Types.DECISION);
        if (e != null) {
            commit(e, interpreter, policy, phase, waited.toMillis(), String.valueOf(decision));
        }
    }

    /** The active policy changed. */
    public static void swap(long runtimeId, String from, String to) {
        Event e = start(() -> Types.SWAP);
        if (e != null) {
            commit(e, runtimeId, from, to);
        }
    }

    /** A leaked guard and the policy's decision about it. */
    public static void leak(GuardInfo g, String policy, Object decision) {
        Event e = start(() -> Types.LEAK);
        if (e != null) {
            commit(e, g.interpreterName(), g.holderThread(), g.age().toMillis(), g.owner().orElse(null), policy,
                    String.valueOf(decision));
        }
    }

    /** A late attach the policy failed, after parking for {@code parked}. */
    public static void lateAttach(String interpreter, String thread, String policy, Duration parked,
            boolean interrupted) {
        Event e = start(() -> Types.LATE_ATTACH);
        if (e != null) {
            commit(e, interpreter, thread, policy, parked.toMillis(), interrupted);
        }
    }
}
