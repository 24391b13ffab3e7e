package dev.vigil.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one finalization did (rule F7), completed or aborted: the policy, how long each phase
 * took, what was waited on, the interrupts delivered, what happened along the way, and the
 * outcome. {@link #toString()} is the report as a person reads it at a stuck or finished
 * shutdown; the accessors give the same as data.
 *
 * <p>Immutable and thread-safe.
 */
public final class FinalizationReport {

    /** How a finalization ended. */
    public enum Outcome {
        /** The interpreter is {@link InterpreterState#FINALIZED}. */
        COMPLETED,
        /** The policy aborted; the interpreter is {@link InterpreterState#RUNNING} (F6). */
        ABORTED,
        /** Not over yet: a report taken while the shutdown still waits. */
        IN_PROGRESS
    }

    /** The phases of the F1 loop, in order. */
    public enum Phase {
        /** Step 1: finalization-requested listeners. */
        NOTIFY,
        /** F3: subinterpreters, when finalizing a main interpreter. */
        SUBINTERPRETERS,
        /** Step 2: joining non-daemon interpreter threads. */
        JOIN_THREADS,
        /** Step 3: atexit hooks. */
        AT_EXIT,
        /** Step 4: waiting until no guard is open. */
        WAIT_GUARDS,
        /** After the point of no return: revocation and leaving the registry. */
        FINALIZE
    }

    private final long interpreterId;
    private final String interpreterName;
    private final Outcome outcome;
    private final String initialPolicy;
    private final String finalPolicy;
    private final Map<Phase, Duration> phases;
    private final int rounds;
    private final List<GuardInfo> openGuards;
    private final long finalizerThreadId;
    private final List<String> threads;
    private final int interruptsDelivered;
    private final List<String> events;
    private final List<FinalizationReport> subinterpreters;
    private final String abortReason;
    private final Duration total;
    private final WaitCycle cycle;

    private FinalizationReport(Builder b) {
        interpreterId = b.interpreterId;
        interpreterName = Objects.requireNonNull(b.interpreterName, "interpreterName");
        outcome = Objects.requireNonNull(b.outcome, "outcome");
        initialPolicy = Objects.requireNonNull(b.initialPolicy, "initialPolicy");
        finalPolicy = b.finalPolicy == null ? b.initialPolicy : b.finalPolicy;
        phases = Collections.unmodifiableMap(new EnumMap<>(b.phases));
        rounds = b.rounds;
        openGuards = List.copyOf(b.openGuards);
        finalizerThreadId = b.finalizerThreadId;
        threads = List.copyOf(b.threads);
        interruptsDelivered = b.interruptsDelivered;
        events = List.copyOf(b.events);
        subinterpreters = List.copyOf(b.subinterpreters);
        abortReason = b.abortReason;
        total = Objects.requireNonNull(b.total, "total");
        cycle = b.cycle;
    }

    /** A builder; used by the runtime, public so that tests and tools can make reports. */
    public static Builder builder(long interpreterId, String interpreterName, String policy) {
        return new Builder(interpreterId, interpreterName, policy);
    }

    public long interpreterId() { return interpreterId; }
    public String interpreterName() { return interpreterName; }
    public Outcome outcome() { return outcome; }
    /** The policy active when the shutdown began. */
    public String initialPolicy() { return initialPolicy; }
    /** The policy that made the last decision. */
    public String finalPolicy() { return finalPolicy; }
    /** Time spent per phase, summed over the rounds of the loop. */
    public Map<Phase, Duration> phases() { return phases; }
    /** How many rounds of the F1 loop ran. */
    public int rounds() { return rounds; }
    /** The guards open when the last wait ended (G6): what shutdown waited on. */
    public List<GuardInfo> openGuards() { return openGuards; }
    /** The guards among {@link #openGuards()} held by the finalizing thread itself (F5). */
    public List<GuardInfo> guardsHeldByFinalizer() {
        List<GuardInfo> own = new ArrayList<>();
        for (GuardInfo g : openGuards) {
            if (g.holderThreadId() == finalizerThreadId) {
                own.add(g);
            }
        }
        return own;
    }
    /** The id of the thread that ran the finalization. */
    public long finalizerThreadId() { return finalizerThreadId; }
    /** The non-daemon interpreter threads still running when the last wait ended. */
    public List<String> threads() { return threads; }
    /** Interrupts (Ctrl-C, {@code runtime.interrupt()}) delivered while it waited. */
    public int interruptsDelivered() { return interruptsDelivered; }
    /** What happened, in order, each line prefixed by its time since the start. */
    public List<String> events() { return events; }
    /** Reports of the subinterpreters finalized first (F3). */
    public List<FinalizationReport> subinterpreters() { return subinterpreters; }
    /** Why the policy aborted, if it did. */
    public Optional<String> abortReason() { return Optional.ofNullable(abortReason); }
    /** How long the whole finalization took. */
    public Duration total() { return total; }
    /**
     * The last wait-for cycle this finalization was found in (DESIGN.md §5), seen from its own
     * thread; empty if none. A guard held by the finalizing thread itself (F5) is a cycle of one.
     */
    public Optional<WaitCycle> cycle() { return Optional.ofNullable(cycle); }

    /** The report as a person reads it. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        appendTo(b, "");
        return b.toString();
    }

    private void appendTo(StringBuilder b, String indent) {
        String nl = System.lineSeparator();
        b.append(indent).append("Finalization of ").append(interpreterName).append(" (#").append(interpreterId)
                .append("): ").append(outcome);
        if (abortReason != null) {
            b.append(" - ").append(abortReason);
        }
        b.append(" after ").append(total.toMillis()).append(" ms").append(nl);
        b.append(indent).append("  policy: ").append(initialPolicy);
        if (!finalPolicy.equals(initialPolicy)) {
            b.append(" -> ").append(finalPolicy);
        }
        b.append(", rounds: ").append(rounds).append(", interrupts delivered: ").append(interruptsDelivered).append(nl);
        b.append(indent).append("  phases:");
        phases.forEach((p, d) -> b.append(' ').append(p.name().toLowerCase(java.util.Locale.ROOT))
                .append('=').append(d.toMillis()).append("ms"));
        b.append(nl);
        if (!openGuards.isEmpty()) {
            b.append(indent).append("  open guards (").append(openGuards.size()).append("):").append(nl);
            for (GuardInfo g : openGuards) {
                b.append(indent).append("    - ").append(g);
                if (g.holderThreadId() == finalizerThreadId) {
                    b.append(" [HELD BY THE FINALIZING THREAD ITSELF: it can never close by waiting]");
                }
                b.append(nl);
                for (int i = 1; i < g.creationSite().size() && i < 12; i++) {
                    b.append(indent).append("        at ").append(g.creationSite().get(i)).append(nl);
                }
            }
        }
        if (cycle != null) {
            b.append(indent).append("  ").append(cycle.toString().replace(nl, nl + indent + "  ")).append(nl);
        }
        if (!threads.isEmpty()) {
            b.append(indent).append("  running non-daemon threads: ").append(threads).append(nl);
        }
        for (String e : events) {
            b.append(indent).append("  | ").append(e).append(nl);
        }
        for (FinalizationReport sub : subinterpreters) {
            sub.appendTo(b, indent + "  ");
        }
    }

    /** Collects a report. Not thread-safe. */
    public static final class Builder {
        private final long interpreterId;
        private final String interpreterName;
        private final String initialPolicy;
        private String finalPolicy;
        private Outcome outcome = Outcome.IN_PROGRESS;
        private final Map<Phase, Duration> phases = new EnumMap<>(Phase.class);
        private int rounds;
        private List<GuardInfo> openGuards = List.of();
        private long finalizerThreadId = -1;
        private List<String> threads = List.of();
        private int interruptsDelivered;
        private final List<String> events = new ArrayList<>();
        private final List<FinalizationReport> subinterpreters = new ArrayList<>();
        private String abortReason;
        private Duration total = Duration.ZERO;
        private WaitCycle cycle;

        private Builder(long interpreterId, String interpreterName, String policy) {
            this.interpreterId = interpreterId;
            this.interpreterName = Objects.requireNonNull(interpreterName, "interpreterName");
            this.initialPolicy = Objects.requireNonNull(policy, "policy");
        }

        public Builder finalPolicy(String name) { finalPolicy = Objects.requireNonNull(name, "name"); return this; }
        public Builder outcome(Outcome o) { outcome = Objects.requireNonNull(o, "outcome"); return this; }
        public Builder addPhase(Phase p, Duration d) { phases.merge(p, d, Duration::plus); return this; }
        public Builder rounds(int n) { rounds = n; return this; }
        public Builder openGuards(List<GuardInfo> g) { openGuards = List.copyOf(g); return this; }
        public Builder finalizerThreadId(long id) { finalizerThreadId = id; return this; }
        public Builder threads(List<String> t) { threads = List.copyOf(t); return this; }
        public Builder interruptsDelivered(int n) { interruptsDelivered = n; return this; }
        public Builder event(String e) { events.add(Objects.requireNonNull(e, "event")); return this; }
        public Builder subinterpreter(FinalizationReport r) { subinterpreters.add(Objects.requireNonNull(r, "report")); return this; }
        public Builder abortReason(String r) { abortReason = r; return this; }
        public Builder total(Duration d) { total = Objects.requireNonNull(d, "total"); return this; }
        /** The wait-for cycle found, or null for none. */
        public Builder cycle(WaitCycle c) { cycle = c; return this; }

        public FinalizationReport build() {
            return new FinalizationReport(this);
        }
    }
}
