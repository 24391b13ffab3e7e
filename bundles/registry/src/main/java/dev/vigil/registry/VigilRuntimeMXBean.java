package dev.vigil.registry;

import java.util.List;
import javax.management.ConstructorParameters;

/**
 * A runtime as JConsole, VisualVM or {@code jcmd} users see it (DESIGN.md §7): registered in
 * the platform MBeanServer as {@code dev.vigil:type=Runtime,name=runtime-<id>} while the
 * runtime lives (option {@code vigil.jmx}, default {@code true}). Attributes are snapshots;
 * operations act as the API calls of the same names do. Thread-safe.
 */
public interface VigilRuntimeMXBean {

    /** The runtime's id, unique in the process. */
    long getRuntimeId();

    /** The active policy's name (P1). */
    String getActivePolicy();

    /** The installed policies' names. */
    List<String> getAvailablePolicies();

    /** The live interpreters: id, name, state, open guard count. */
    List<InterpreterRow> getInterpreters();

    /** Open guards over all interpreters. */
    int getOpenGuardCount();

    /** The open guards table: interpreter, holder thread, age, owner (G6; empty at diagnostics off). */
    List<GuardRow> getOpenGuards();

    /**
     * Shuts interpreter {@code id} down (0: main, so everything) under the active policy; waits
     * at most 10 s for it, then leaves it running in the background.
     *
     * @return the report, or a line saying it goes on in the background
     * @throws IllegalArgumentException if no live interpreter has that id
     */
    String shutdown(long id);

    /** Delivers an interrupt to waiting shutdowns (S2); returns whether one was waiting. */
    boolean interrupt();

    /**
     * Makes the named policy active (P4).
     *
     * @throws IllegalArgumentException for a policy that is not installed
     */
    void usePolicy(String name);

    /** One interpreter, for {@link #getInterpreters()}. */
    final class InterpreterRow {
        private final long id;
        private final String name;
        private final String state;
        private final int openGuards;

        @ConstructorParameters({"id", "name", "state", "openGuards"})
        public InterpreterRow(long id, String name, String state, int openGuards) {
            this.id = id;
            this.name = name;
            this.state = state;
            this.openGuards = openGuards;
        }

        public long getId() { return id; }
        public String getName() { return name; }
        public String getState() { return state; }
        public int getOpenGuards() { return openGuards; }
    }

    /** One open guard, for {@link #getOpenGuards()}. */
    final class GuardRow {
        private final long interpreterId;
        private final String interpreter;
        private final String holderThread;
        private final long holderThreadId;
        private final long ageMillis;
        private final String owner;

        @ConstructorParameters({"interpreterId", "interpreter", "holderThread", "holderThreadId", "ageMillis", "owner"})
        public GuardRow(long interpreterId, String interpreter, String holderThread, long holderThreadId,
                long ageMillis, String owner) {
            this.interpreterId = interpreterId;
            this.interpreter = interpreter;
            this.holderThread = holderThread;
            this.holderThreadId = holderThreadId;
            this.ageMillis = ageMillis;
            this.owner = owner;
        }

        public long getInterpreterId() { return interpreterId; }
        public String getInterpreter() { return interpreter; }
        public String getHolderThread() { return holderThread; }
        public long getHolderThreadId() { return holderThreadId; }
        public long getAgeMillis() { return ageMillis; }
        public String getOwner() { return owner; }
    }
}
