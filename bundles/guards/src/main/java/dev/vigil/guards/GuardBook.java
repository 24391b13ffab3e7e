package dev.vigil.guards;

import dev.vigil.api.DiagnosticsLevel;
import dev.vigil.api.GuardInfo;
import dev.vigil.spi.LeakDecision;
import dev.vigil.spi.kernel.GuardDirectory;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.ViewHandle;
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
     * Counting. At simple and full a guard is a ledger guard (see InterpreterLifecycle): it
     * is counted by its entry being open in its holder's ledger, not on the guard word, so
     * that an open writes only the holder thread's memory and reads the word, and a close is
     * the entry's one CAS (its idempotence gate, G4) and a read of the word. The registry counts
     * the ledger guards through ledgerGuards() when it decides the point of no return and while
     * it waits; the Dekker pairs that make that exact are set out in the registry's
     * InterpreterRecord. Once close() (the guards bundle stopping) has set `closed`, this
     * book's count must never grow: the kernel keeps counting a closed book's ledger guards
     * only until they have all closed. So an open that finds `closed`, before or after
     * publishing its entry (a Dekker pair with close()'s write and the kernel's count after
     * it), unpublishes the entry and takes a word guard instead (counted, not listed).
     *
     * Hot paths (open, close, ensureFromView's owned guard) touch only memory of the calling
     * thread and a read of the guard word: its ledger, found through this book's ThreadLocal, and a
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
     * Opens a guard for a user, or returns null past the point of no return. Tracked, it is a
     * ledger guard (see overview); after {@link #close()}, a word guard.
     */
    Guard open(InterpreterLifecycle lifecycle, String owner, View via) {
        if (!tracking || closed) {
            return lifecycle.tryAcquireGuard() ? new Guard.Untracked(lifecycle) : null;
        }
        // Nothing is counted before confirm() publishes the entry: an error before (an
        // OutOfMemoryError, a StackOverflowError recording the site) leaves nothing to undo.
        List<StackTraceElement> site = full ? site() : List.of();
        Ledger.Entry e = ledger(via).claim();
        int seq = e.seq() + 1;
        Guard g = new Guard.Tracked(lifecycle, e, seq);
        e.fill(lifecycle, owner, false, tick, site, full ? null : g);
        if (full) {
            e.watch = new Ledger.LeakRef(g, leaks, e, seq);
        }
        if (confirm(lifecycle, e, seq)) {
            return g;
        }
        return closed && lifecycle.tryAcquireGuard() ? new Guard.Untracked(lifecycle) : null;
    }

    /**
     * Opens a guard owned by a thread state (T3), or returns null past the point of no return:
     * a ledger guard; after {@link #close()}, a word guard, whose owned guard is the view.
     */
    ViewHandle.OwnedGuard openOwned(InterpreterLifecycle lifecycle, String owner, View via) {
        if (closed) {
            return lifecycle.tryAcquireGuard() ? via : null;
        }
        List<StackTraceElement> site = full ? site() : List.of();
        Ledger.Entry e = ledger(via).claim();
        int seq = e.seq() + 1;
        e.fill(lifecycle, owner, true, tick, site, null);
        if (confirm(lifecycle, e, seq)) {
            return e;
        }
        return closed && lifecycle.tryAcquireGuard() ? via : null;
    }

    /**
     * Publishes filled entry {@code e} as incarnation {@code seq}, which counts it as a ledger
     * guard, and confirms it with the interpreter; unpublishes it if refused (past the point of
     * no return) or if this book closed meanwhile (its ledgers are no longer counted once the
     * kernel retired it: the caller counts a word guard instead). The publication is a volatile
     * write and both checks read after it, so either they see the refusal or the close, or
     * the finalizer's count and the book's retirement see the guard (see overview). Counted
     * from its publication, it is listed only once confirmed: a refused open is never listed.
     */
    private boolean confirm(InterpreterLifecycle lifecycle, Ledger.Entry e, int seq) {
        e.publish(seq);
        if (!closed && lifecycle.confirmLedgerGuard()) {
            e.confirmed(seq);
            return true;
        }
        e.close(seq);
        lifecycle.ledgerGuardReleased();
        return false;
    }

    /**
     * The calling thread's ledger: through {@code via}'s ledger hint when it is this thread's
     * (a view used by one thread, the common case, skips the ThreadLocal lookup), else from
     * the ThreadLocal. The hint is set once, by the view's first user, and never rewritten, so
     * a view shared by threads is not written back and forth.
     */
    private Ledger ledger(View via) {
        if (via != null) {
            Ledger l = via.hintFor(Thread.currentThread(), this);
            if (l != null) {
                return l;
            }
            l = ledger();
            via.offerHint(l, this);
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

    /**
     * Counts the open ledger guards (see overview) with volatile reads of every entry's seq,
     * so that the finalizer's count after its sealing CAS and an opener's publication before
     * its read of the word are a Dekker pair. An entry reused while read may be counted for
     * the wrong interpreter only if its incarnation seen open has closed meanwhile: at worst
     * the count is too high, and the finalizer counts again.
     */
    @Override
    public int ledgerGuards(long interpreterId) {
        int n = 0;
        for (Ledger l : ledgers) {
            for (Ledger.Entry e : l.entries()) {
                if ((e.seqVolatile() & 1) != 0 && (interpreterId < 0 || e.isFor(interpreterId))) {
                    n++;
                }
            }
        }
        return n;
    }

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
                lifecycle.ledgerGuardReleased();
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
