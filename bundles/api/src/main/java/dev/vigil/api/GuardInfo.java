package dev.vigil.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one open guard (rule G6): what shutdown waits on.
 *
 * @param interpreterId   the guarded interpreter's id
 * @param interpreterName the guarded interpreter's name
 * @param holderThreadId  the id of the thread that opened the guard
 * @param holderThread    the name of the thread that opened the guard
 * @param age             how long the guard has been open
 * @param creationSite    the stack where it was opened (diagnostics {@code full}), else empty
 * @param owner           who took it, where known (an OSGi bundle, a CDI bean), else empty
 * @param ownedByThreadState whether the guard was taken by {@code ensureFromView} (T3)
 * @param running         what the holder thread runs in the interpreter now, where its engine
 *                        knows it (DESIGN.md §6: the language and source location, such as
 *                        {@code js loop.js:2}); filled in finalization reports, else empty
 * @since 1.2 ({@code running})
 */
public record GuardInfo(long interpreterId, String interpreterName, long holderThreadId,
        String holderThread, Duration age, List<StackTraceElement> creationSite,
        Optional<String> owner, boolean ownedByThreadState, Optional<String> running) {

    public GuardInfo {
        Objects.requireNonNull(interpreterName, "interpreterName");
        Objects.requireNonNull(holderThread, "holderThread");
        Objects.requireNonNull(age, "age");
        creationSite = List.copyOf(Objects.requireNonNull(creationSite, "creationSite"));
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(running, "running");
    }

    /** A snapshot of a guard whose holder runs nothing known ({@link #running()} empty). */
    public GuardInfo(long interpreterId, String interpreterName, long holderThreadId, String holderThread,
            Duration age, List<StackTraceElement> creationSite, Optional<String> owner, boolean ownedByThreadState) {
        this(interpreterId, interpreterName, holderThreadId, holderThread, age, creationSite, owner,
                ownedByThreadState, Optional.empty());
    }

    /**
     * This snapshot with {@link #running()} set to {@code what}.
     *
     * @throws NullPointerException if {@code what} is null
     * @since 1.2
     */
    public GuardInfo withRunning(String what) {
        return new GuardInfo(interpreterId, interpreterName, holderThreadId, holderThread, age, creationSite, owner,
                ownedByThreadState, Optional.of(Objects.requireNonNull(what, "what")));
    }

    /** One line: interpreter, holder, age, what the holder runs, owner and the first frame of the creation site. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder()
                .append("guard on ").append(interpreterName).append(" (#").append(interpreterId).append(')')
                .append(" held by thread \"").append(holderThread).append("\" (id ").append(holderThreadId)
                .append(") for ").append(age.toMillis()).append(" ms");
        running.ifPresent(r -> b.append(", running ").append(r));
        if (ownedByThreadState) {
            b.append(", taken by ensureFromView");
        }
        owner.ifPresent(o -> b.append(", owner ").append(o));
        if (!creationSite.isEmpty()) {
            b.append(", opened at ").append(creationSite.get(0));
        }
        return b.toString();
    }
}
