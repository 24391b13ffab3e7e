package dev.vigil.guards;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.GuardInfo;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.kernel.GuardDirectory;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The guard bookkeeping of one runtime (G6, P2d), shared by every {@link Guards} facade of
 * it. At diagnostics {@code off} it keeps nothing: a guard is only a count on the guard word.
 * At {@code simple} and {@code full} every open guard is an entry in its holder thread's
 * {@link Ledger}, listed with holder and age, and leaks are found by the book's watch thread;
 * at {@code full} the entry also holds the creation stack and every guard is watched from
 * its open. Thread-safe; {@link #close()} ends everything the book started.
 */
final class GuardBook implements GuardDirectory {

    /*
     * Implementation overview
     *
     * Hot paths (open, close, ensureFromView's owned guard) touch only the guard word and
     * memory of the calling thread: its ledger, found through this book's ThreadLocal, and a
     * clock value read from `tick`. Reading System.nanoTime() costs ~30 ns on the machines
     * measured (kvm-clock), more than a whole guard open+close at off, so a guard's age is
     * measured from `tick`, which the watch thread advances every TICK_MILLIS and every walk
     * refreshes: an age reads at most one tick (plus scheduling delay) longer than it is.
     *
     * Walks (openGuards, a shutdown's listing, interruptHolders, the watch thread's sweep)
     * read every registered ledger; see Ledger for the seqlock that makes each entry's
     * snapshot consistent and never lists a guard after its close returned.
     *
     * The watch thread (`vigil-leak-watch-<runtime id>`, daemon) is started with the first
     * ledger and ended by close(): it ticks the clock, dequeues leaked guards' references and
     * has the policy decide on them (P2d), promotes long-lived guards to watched ones (see
     * Ledger), and drops the ledgers of threads that died with nothing open.
     *
     * Hygiene (DESIGN.md section 5): the ThreadLocal's value is a one-slot Object[] (a JDK
     * class) holding the ledger; close() empties every slot and forgets every ledger, so a
     * thread that outlives the runtime (or the guards bundle) keeps nothing of it reachable.
     */

    static final long TICK_MILLIS = 50;
    private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Kernel kernel;
    private final DiagnosticsLevel level;
    private final boolean tracking;
    private final boolean full;
    private final ThreadLocal<Object[]> cells = ThreadLocal.withInitial(() -> new Object[1]);
    private final ConcurrentLinkedQueue<Ledger> ledgers = new ConcurrentLinkedQueue<>();
    private final ReferenceQueue<Object> leaks = new ReferenceQueue<>();
    /** A recent System.nanoTime(); see overview. */
    private volatile long tick = System.nanoTime();
    private volatile boolean closed;
    private Thread watcher;

    GuardBook(Kernel kernel) {
        this.kernel = kernel;
        this.level = kernel.diagnostics();
        this.tracking = level != DiagnosticsLevel.OFF;
        this.full = level == DiagnosticsLevel.FULL;
    }

    boolean tracking() {
        return tracking;
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
    Guard open(InterpreterLifecycle lifecycle, String owner, View via) {
        if (!tracking) {
            return lifecycle.tryAcquireGuard() ? new Guard.Untracked(lifecycle) : null;
        }
        if (!lifecycle.tryAcquireGuard()) {
            return null;
        }
        Ledger.Entry e = null;
        int seq = 0;
        try {
            List<StackTraceElement> site = full ? site() : List.of();
            e = ledger(via).claim();
            seq = e.seq() + 1;
            Guard g = new Guard.Tracked(lifecycle, e, seq);
            e.fill(lifecycle, owner, false, tick, site, full ? null : g);
            if (full) {
                e.watch = new Ledger.LeakRef(g, leaks, e, seq);
            }
            e.publish(seq);
            return g;
        } catch (Throwable t) {
            giveBack(lifecycle, e, seq);
            throw t;
        }
    }

    /** Opens a guard owned by a thread state (T3), or returns null past the point of no return. */
    Ledger.Entry openOwned(InterpreterLifecycle lifecycle, String owner, View via) {
        if (!lifecycle.tryAcquireGuard()) {
            return null;
        }
        Ledger.Entry e = null;
        int seq = 0;
        try {
            List<StackTraceElement> site = full ? site() : List.of();
            e = ledger(via).claim();
            seq = e.seq() + 1;
            e.fill(lifecycle, owner, true, tick, site, null);
            e.publish(seq);
            return e;
        } catch (Throwable t) {
            giveBack(lifecycle, e, seq);
            throw t;
        }
    }

    /** Undoes a count whose guard could not be built, and its entry if it was published. */
    private static void giveBack(InterpreterLifecycle lifecycle, Ledger.Entry e, int seq) {
        if (e != null && e.seq() == seq) {
            e.close(seq);
        }
        lifecycle.releaseGuard();
    }

    /**
     * The calling thread's ledger: through {@code via}'s ledger hint when it is this thread's
     * (a view used by one thread, the common case, skips the ThreadLocal lookup), else from
     * the ThreadLocal. The hint is set once, by the view's first user, and never rewritten, so
     * a view shared by threads is not written back and forth.
     */
    private Ledger ledger(View via) {
        if (via != null) {
            Ledger l = via.ledgerHint;
            if (l != null && l.holder == Thread.currentThread()) {
                return l;
            }
            l = ledger();
            if (via.ledgerHint == null) {
                via.ledgerHint = l;
            }
            return l;
        }
        return ledger();
    }

    /** The calling thread's ledger, registered on first use. */
    private Ledger ledger() {
        Object[] cell = cells.get();
        Object l = cell[0];
        return l != null ? (Ledger) l : register(cell);
    }

    private Ledger register(Object[] cell) {
        Ledger l = new Ledger(Thread.currentThread(), cell);
        synchronized (this) {
            if (closed) {
                return l; // not kept: a closed book leaves nothing in any thread
            }
            cell[0] = l;
            ledgers.add(l);
            if (watcher == null) {
                startWatcher();
            }
        }
        return l;
    }

    private List<StackTraceElement> site() {
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> f.getClassName().startsWith("dev.vigil.guards.")
                        || f.getClassName().startsWith("dev.vigil.threadstate."))
                .map(StackWalker.StackFrame::toStackTraceElement)
                .collect(Collectors.toList()));
    }

    // ---- walks

    /** Every open guard, oldest first. */
    List<GuardInfo> all() {
        return snapshot(-1);
    }

    @Override
    public List<GuardInfo> openGuards(long interpreterId) {
        return snapshot(interpreterId);
    }

    private List<GuardInfo> snapshot(long interpreterIdOrMinus1) {
        long now = System.nanoTime();
        tick = now;
        List<GuardInfo> infos = new ArrayList<>();
        for (Ledger l : ledgers) {
            for (Ledger.Entry e : l.entries()) {
                GuardInfo g = e.snapshot(interpreterIdOrMinus1, now);
                if (g != null) {
                    infos.add(g);
                }
            }
        }
        infos.sort(Comparator.comparing(GuardInfo::age).reversed());
        return infos;
    }

    @Override
    public int interruptHolders(long interpreterId) {
        Thread me = Thread.currentThread();
        int n = 0;
        for (Ledger l : ledgers) {
            if (l.holder != me && l.holds(interpreterId)) {
                l.holder.interrupt();
                n++;
            }
        }
        return n;
    }

    // ---- the watch thread

    private void startWatcher() {
        Thread t = new Thread(this::watch, "vigil-leak-watch-" + kernel.runtimeId());
        t.setDaemon(true);
        t.setContextClassLoader(null);
        watcher = t;
        t.start();
    }

    private void watch() {
        long lastSweep = System.nanoTime();
        while (!closed) {
            Reference<?> r;
            try {
                r = leaks.remove(TICK_MILLIS);
            } catch (InterruptedException e) {
                continue; // close() interrupts; the loop condition decides
            }
            long now = System.nanoTime();
            tick = now;
            for (; r != null && !closed; r = leaks.poll()) {
                leaked((Ledger.LeakRef) r);
            }
            if (now - lastSweep >= SWEEP_NANOS) {
                lastSweep = now;
                sweep();
            }
        }
    }

    /** A watched guard became unreachable: if it was never closed, the policy decides (P2d). */
    private void leaked(Ledger.LeakRef r) {
        Ledger.Entry e = r.entry;
        try {
            GuardInfo info = e.snapshot(-1, System.nanoTime());
            if (info == null || !e.isOpen(r.seq) || e.reportedSeq == r.seq) {
                return; // closed before it became unreachable, a stale reference, or reported already
            }
            e.reportedSeq = r.seq;
            InterpreterLifecycle lifecycle = e.lifecycle();
            if (kernel.guardLeaked(info) == LeakDecision.RECLAIM && e.close(r.seq)) {
                lifecycle.releaseGuard();
            }
        } catch (RuntimeException | Error err) {
            // one failing report (a policy's or notice sink's error) must not stop leak detection
        } finally {
            if (e.watch == r) {
                e.watch = null;
            }
        }
    }

    /** Promotes guards open across two sweeps to watched ones; drops dead threads' empty ledgers. */
    private void sweep() {
        for (Iterator<Ledger> it = ledgers.iterator(); it.hasNext(); ) {
            Ledger l = it.next();
            if (!l.holder.isAlive() && !l.anyOpen()) {
                it.remove();
                continue;
            }
            for (Ledger.Entry e : l.entries()) {
                int s = e.seqAcquire();
                if ((s & 1) == 0) {
                    continue;
                }
                if (e.seenSeq != s) {
                    e.seenSeq = s;
                    continue;
                }
                Object g = e.guard();
                if (g != null) {
                    Ledger.LeakRef ref = new Ledger.LeakRef(g, leaks, e, s);
                    e.watch = ref;
                    if (!e.dropGuard(g)) {
                        ref.clear(); // reused meanwhile: its new guard is promoted at a later sweep
                    }
                }
            }
        }
    }

    /**
     * Ends the watch thread (waiting for it, bounded) and empties every per-thread slot, so
     * that no thread keeps anything of this book. The ledgers stay with the book, so that a
     * shutdown that runs after (the registry bundle stopping after the guards' component)
     * still lists the guards open; guards opened after close are counted but not listed.
     * Open guards stay counted; closing them still works. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = watcher;
            watcher = null;
        }
        for (Ledger l : ledgers) {
            l.cell[0] = null;
        }
        if (t != null) {
            t.interrupt();
            if (t != Thread.currentThread()) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
