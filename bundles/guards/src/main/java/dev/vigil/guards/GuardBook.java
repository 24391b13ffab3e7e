package dev.vigil.guards;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.GuardInfo;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.kernel.GuardDirectory;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import java.lang.ref.Cleaner;
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
 * {@link Cleaner} watch for leaks; at {@code full} the track also holds the creation stack.
 * Thread-safe.
 */
final class GuardBook implements GuardDirectory {

    /** One daemon thread for every runtime's leak watches. */
    private static final Cleaner CLEANER = Cleaner.create();

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

    /** Opens a guard for a user, or returns null past the point of no return. */
    Guard open(InterpreterLifecycle lifecycle, String owner) {
        if (!lifecycle.tryAcquireGuard()) {
            return null;
        }
        if (!tracking()) {
            return new Guard(lifecycle);
        }
        return new Guard(lifecycle, remember(new Track(this, lifecycle, site(), owner, false)), CLEANER);
    }

    /** Opens a guard owned by a thread state (T3), or returns null past the point of no return. */
    Track openOwned(InterpreterLifecycle lifecycle, String owner) {
        if (!lifecycle.tryAcquireGuard()) {
            return null;
        }
        return remember(new Track(this, lifecycle, site(), owner, true));
    }

    private Track remember(Track t) {
        open.add(t);
        return t;
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
