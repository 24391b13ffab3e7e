package dev.vigil.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A wait-for cycle (DESIGN.md §5): threads each waiting on the next — a shutdown on the
 * holders of its interpreter's guards, its running non-daemon threads or its atexit hook, a
 * thread on another thread's shutdown of the same interpreter, a late attach on the end of
 * the runtime — the last waiting on the first. None of these waits can end by waiting, as
 * with a monitor deadlock in a JDK thread dump. A guard held by the finalizing thread itself
 * (F5) is the one-link case.
 *
 * <p>The links are in wait order, starting with the thread that observes the cycle (the
 * shutdown asking its policy, or the report's own finalizer); link {@code i} waits on the
 * thread of link {@code i + 1}, the last on the first. {@link #toString()} names every thread,
 * interpreter and guard, as a person reads it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param links  the waits of the cycle, at least one
 * @param victim the index of the shutdown a policy that ends one wait of the cycle should
 *               end — the one whose wait began last, as a database picks the youngest
 *               transaction of a deadlock — or {@code -1} when no link is a shutdown's wait
 */
public record WaitCycle(List<Link> links, int victim) {

    /** What a thread of the cycle is doing while it waits. */
    public enum WaitKind {
        /** Finalizing {@link Link#interpreterName()}: waits until its guards close (F1 step 4). */
        SHUTDOWN_WAITS_FOR_GUARDS,
        /** Finalizing {@link Link#interpreterName()}: waits until its non-daemon threads end (F1 step 2). */
        SHUTDOWN_WAITS_FOR_THREADS,
        /** Finalizing {@link Link#interpreterName()}: waits until one of its atexit hooks returns (F1 step 3). */
        SHUTDOWN_WAITS_FOR_HOOK,
        /** Called {@code shutdown} of {@link Link#interpreterName()} while another thread runs it (F4): waits for that thread. */
        JOINS_SHUTDOWN,
        /** Attached late to {@link Link#interpreterName()} (P2c): parks until the runtime ends, i.e. main's finalization. */
        LATE_ATTACH
    }

    /**
     * One wait of a cycle.
     *
     * @param threadId        the waiting thread's id
     * @param thread          the waiting thread's name
     * @param kind            what it waits for
     * @param interpreterId   the interpreter its wait is about
     * @param interpreterName that interpreter's name
     * @param guards          for {@link WaitKind#SHUTDOWN_WAITS_FOR_GUARDS}: the guards it waits on that the
     *                        next link's thread holds; else empty
     */
    public record Link(long threadId, String thread, WaitKind kind, long interpreterId, String interpreterName,
            List<GuardInfo> guards) {

        public Link {
            Objects.requireNonNull(thread, "thread");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(interpreterName, "interpreterName");
            guards = List.copyOf(Objects.requireNonNull(guards, "guards"));
        }

        /** Whether this link is a shutdown's own wait (one a policy can end). */
        public boolean isShutdown() {
            return kind == WaitKind.SHUTDOWN_WAITS_FOR_GUARDS || kind == WaitKind.SHUTDOWN_WAITS_FOR_THREADS
                    || kind == WaitKind.SHUTDOWN_WAITS_FOR_HOOK;
        }

        /** This wait as a person reads it, {@code next} being the thread it waits on. */
        String describe(Link next) {
            String who = "thread \"" + thread + "\" (id " + threadId + ")";
            String it = interpreterName + " (#" + interpreterId + ")";
            String on = next == this ? "itself" : "thread \"" + next.thread + "\" (id " + next.threadId + ")";
            return switch (kind) {
                case SHUTDOWN_WAITS_FOR_GUARDS -> who + " finalizes " + it + " and waits on " + guards.size()
                        + " guard(s) held by " + on + guards.stream().map(g -> "; " + g).reduce("", String::concat);
                case SHUTDOWN_WAITS_FOR_THREADS -> who + " finalizes " + it + " and waits for its non-daemon thread " + on;
                case SHUTDOWN_WAITS_FOR_HOOK -> who + " finalizes " + it + " and waits for its atexit hook running on " + on;
                case JOINS_SHUTDOWN -> who + " called shutdown of " + it + " and waits for " + on + ", which runs it";
                case LATE_ATTACH -> who + " attached late to " + it + " and parks until the runtime ends, whose main"
                        + " finalization runs on " + on;
            };
        }
    }

    public WaitCycle {
        links = List.copyOf(Objects.requireNonNull(links, "links"));
        if (links.isEmpty()) {
            throw new IllegalArgumentException("links must not be empty");
        }
        if (victim < -1 || victim >= links.size() || (victim >= 0 && !links.get(victim).isShutdown())) {
            throw new IllegalArgumentException("victim " + victim + " is not the index of a shutdown's link in " + links);
        }
    }

    /** The shutdown a policy that ends one wait of this cycle should end: the one whose wait began last. */
    public Optional<Link> victimLink() {
        return victim < 0 ? Optional.empty() : Optional.of(links.get(victim));
    }

    /** Whether the observer (the first link) is the {@linkplain #victimLink() victim}. */
    public boolean observerIsVictim() {
        return victim == 0;
    }

    /** Whether this is the one-thread case: a shutdown waiting on a guard its own thread holds (F5). */
    public boolean isSelfHeld() {
        return links.size() == 1;
    }

    /** The threads of the cycle by name, in wait order, the first repeated at the end: {@code "a" -> "b" -> "a"}. */
    public String threads() {
        StringBuilder b = new StringBuilder();
        for (Link l : links) {
            b.append('"').append(l.thread).append("\" -> ");
        }
        return b.append('"').append(links.get(0).thread).append('"').toString();
    }

    /** The cycle as a person reads it: one line per wait. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("wait-for cycle of ").append(links.size())
                .append(links.size() == 1 ? " thread " : " threads ").append(threads()).append(':');
        for (int i = 0; i < links.size(); i++) {
            b.append(System.lineSeparator()).append("    ").append(i + 1).append(". ")
                    .append(links.get(i).describe(links.get((i + 1) % links.size())));
        }
        return b.toString();
    }
}
