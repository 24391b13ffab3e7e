package dev.vigil.guards;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.GuardInfo;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.kernel.GuardDirectory;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The guard bookkeeping of one runtime (G6, P2d), shared by every {@link Guards} facade of
 * it. At diagnostics {@code off} it keeps nothing: a guard is only a count on the guard
 * word. At {@code simple} each open guard has a {@link Track} in a concurrent set and a
 * phantom-reference watch for leaks (Track; no lock shared between guards); at {@code full}
 * the track also holds the creation stack.
 * Thread-safe.
 */
final class GuardBook implements GuardDirectory {

    private final Kernel kernel;
    private final DiagnosticsLevel level;
    private final Set<Track> open = ConcurrentHashMap.newKeySet();

    GuardBook(Kernel kernel) {
        this.kernel = kernel;
        this.level = kernel.diagnostics();
    }

    boolean tracking() {
        return level != DiagnosticsLevel.OFF;
    }

    long runtimeId() {
        return kernel.runtimeId();
    }

    Kernel kernel() {
        return kernel;
    }

    /**
     * Opens a guard for a user, or returns null past the point of no return. If building the
     * guard fails once counted (OutOfMemoryError, StackOverflowError while recording the
     * site), the count is given back: a count nobody can close, list or reclaim would hold
     * finalization off for ever (G3, G6).
     */
    Guard open(InterpreterLifecycle lifecycle, String owner) {
        if (!lifecycle.tryAcquireGuard()) {
            return null;
        }
        Track t = null;
        try {
            if (!tracking()) {
                return new Guard(lifecycle);
            }
            t = new Track(this, lifecycle, site(), owner, false);
            open.add(t);
            return new Guard(lifecycle, t);
        } catch (Throwable e) {
            giveBack(lifecycle, t);
            throw e;
        }
    }

    /** Opens a guard owned by a thread state (T3), or returns null past the point of no return. */
    Track openOwned(InterpreterLifecycle lifecycle, String owner) {
        if (!lifecycle.tryAcquireGuard()) {
            return null;
        }
        Track t = null;
        try {
            t = new Track(this, lifecycle, site(), owner, true);
            open.add(t);
            return t;
        } catch (Throwable e) {
            giveBack(lifecycle, t);
            throw e;
        }
    }

    /** Undoes a count whose guard could not be built; through its track if it has one. */
    private static void giveBack(InterpreterLifecycle lifecycle, Track t) {
        if (t != null) {
            t.release();
        } else {
            lifecycle.releaseGuard();
        }
    }

    void forget(Track t) {
        open.remove(t);
    }

    /** A leak watch fired: the policy decides whether the guard stays counted (P2d). */
    void leaked(Track t) {
        if (kernel.guardLeaked(t.info()) == LeakDecision.RECLAIM) {
            t.release();
        }
    }

    private List<StackTraceElement> site() {
        if (level != DiagnosticsLevel.FULL) {
            return List.of();
        }
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> f.getClassName().startsWith("dev.vigil.guards.")
                        || f.getClassName().startsWith("dev.vigil.threadstate."))
                .map(StackWalker.StackFrame::toStackTraceElement)
                .collect(Collectors.toList()));
    }

    List<GuardInfo> all() {
        List<Track> tracks = new ArrayList<>(open);
        tracks.sort(Comparator.comparingLong(t -> t.openedNanos));
        List<GuardInfo> infos = new ArrayList<>(tracks.size());
        for (Track t : tracks) {
            infos.add(t.info());
        }
        return infos;
    }

    @Override
    public List<GuardInfo> openGuards(long interpreterId) {
        List<GuardInfo> infos = new ArrayList<>();
        for (GuardInfo g : all()) {
            if (g.interpreterId() == interpreterId) {
                infos.add(g);
            }
        }
        return infos;
    }

    @Override
    public int interruptHolders(long interpreterId) {
        Set<Thread> holders = new HashSet<>();
        for (Track t : open) {
            if (t.lifecycle.interpreter().id() == interpreterId && t.holder != Thread.currentThread()) {
                holders.add(t.holder);
            }
        }
        holders.forEach(Thread::interrupt);
        return holders.size();
    }
}
