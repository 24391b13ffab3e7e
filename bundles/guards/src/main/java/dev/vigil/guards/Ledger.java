package dev.vigil.guards;

import dev.vigil.api.GuardInfo;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One thread's guards in one runtime (diagnostics {@code simple} and {@code full}): a
 * growable array of reusable {@link Entry entries}, one per guard the thread opened and that
 * is still open. Registered once with its {@link GuardBook} when the thread opens its first
 * guard, and walked only when someone asks (open guards, a shutdown's report, interrupting
 * holders, the leak watch).
 *
 * <p>Opening is confined to the holder thread; closing, listing and leak handling may run on
 * any thread. Thread-safe in that sense.
 */
final class Ledger extends Padded {

    /*
     * Implementation overview
     *
     * An entry's state is one int, `seq`, that only grows: odd while a guard is open in it,
     * even while it is free. Every open and every close adds one, so each incarnation of an
     * entry (one guard) is named by its odd seq, which the guard object keeps.
     *
     * An open entry is also the guard's count (a ledger guard, see InterpreterLifecycle): the
     * registry counts open entries, through GuardBook.ledgerGuards, when it decides the point
     * of no return and while it waits on guards.
     *
     * - Open (holder thread only): claim a free entry (where the last claim was, first), write
     *   the guard's facts into it — the guard object too, made beforehand with the seq it will
     *   have — with plain stores, then publish them by a volatile store of seq + 1 (odd), which
     *   counts the guard; the book then confirms it with the interpreter (and unpublishes it if
     *   refused). Nothing shared is written: open touches only this thread's memory.
     * - Close (any thread, exactly once per incarnation): CAS seq from the guard's odd value
     *   to the next even one. The CAS is the guard's own idempotence gate (G4): a second close
     *   of the same guard, or a close of a guard whose incarnation was reclaimed as a leak,
     *   fails it and changes nothing. The same CAS uncounts the guard and ends its listing, so
     *   a guard is never listed after its close returned (jcstress GuardListedAfterClose);
     *   then the closer tells the interpreter (ledgerGuardReleased), which wakes a waiting
     *   shutdown.
     * - Snapshot (any thread): a seqlock read. Read seq (acquire); if odd and confirmed (an
     *   open the interpreter refused is published, and counted, for a moment: it is never
     *   listed), read the facts,
     *   then an acquire fence, then seq again; if it moved, the guard closed (or the entry was
     *   reused) meanwhile and is not listed. Facts are only rewritten by the holder after it
     *   saw the entry free (acquire), so a reader never combines two guards' facts.
     *
     * Leak watch (P2d). The listing must not keep a guard reachable, or a leaked guard could
     * never be found; yet a PhantomReference per guard costs an allocation and reference
     * processing on every open. So the ledger holds each open guard strongly at first (slot
     * `held[entry.index]`), and the book's watch thread, at each sweep, promotes the guards it
     * finds still open in the same incarnation as at its previous sweep: it registers a
     * PhantomReference (carrying the entry and the incarnation) and drops the strong reference
     * by CAS. `held` is a separate array that the holder replaces every REFRESH_OPENS opens
     * (copying the open entries' slots), so that it stays in the young generation: a new
     * guard stored into a long-lived object would cost a StoreLoad fence in G1's post-write
     * barrier (JDK 17), measured at about as much as the rest of the open and close together.
     * A copy may bring back a strong reference the watch thread just dropped; the next sweep
     * promotes it again, and a leak is reported once per incarnation (`reportedSeq`). Short-lived
     * guards, the common case, are never watched; every guard open across two sweeps is. At
     * diagnostics full the guard is watched at open. A reference whose incarnation is no
     * longer open when it is dequeued is stale and ignored.
     */
    /*
     * False sharing. An entry is written on every open and close by its holder, and other
     * threads' entries as often by theirs. Objects allocated by different threads start apart,
     * but the GC copies live objects next to one another, so an entry's fields sit between 64
     * bytes of padding on each side (a superclass's fields are laid out first, a subclass's
     * last). An open writes nothing of the ledger object itself (the countdown to replacing
     * `held` is per entry), and the ledger begins with 64 bytes of padding too.
     */


    final Thread holder;
    /** The thread-local cell holding this ledger; cleared when the book closes. */
    final Object[] cell;
    private volatile Entry[] entries;
    /** Holder only: where the next free entry probably is. */
    private int hint;
    /** Open guards held strongly until promoted, by entry index; see overview. */
    private volatile Object[] held;
    /**
     * The thread-state bundle's hint for the holder thread (GuardHandle#threadStateHint);
     * holder writes only, into every entry too (Entry#hint), so that reading it from a guard
     * is one load fewer on the ensure path (T1a, T1b).
     */
    private Object threadStateHint;

    Ledger(Thread holder, Object[] cell) {
        this.holder = holder;
        this.cell = cell;
        Entry[] es = new Entry[4];
        for (int i = 0; i < es.length; i++) {
            es[i] = new Entry(this, i);
        }
        this.entries = es;
        this.held = new Object[es.length];
    }

    /**
     * Holder thread only: a free entry (its {@link Entry#seq()} even) for the caller to
     * {@link Entry#fill fill} and {@link Entry#publish publish} as incarnation seq + 1.
     */
    Entry claim() {
        Entry[] es = entries;
        Entry e = es[hint];
        if ((e.seqAcquire() & 1) == 0) {
            return e;
        }
        return claimElsewhere();
    }

    private Entry claimElsewhere() {
        Entry[] es = entries;
        for (int i = 0; i < es.length; i++) {
            if ((es[i].seqAcquire() & 1) == 0) {
                hint = i;
                return es[i];
            }
        }
        int n = es.length;
        Entry[] grown = Arrays.copyOf(es, n * 2);
        for (int i = n; i < grown.length; i++) {
            grown[i] = new Entry(this, i);
            grown[i].hint = threadStateHint;
        }
        entries = grown;
        hint = n;
        return grown[n];
    }

    /** Whether an open guard of interpreter {@code id} is in this ledger (racy, for interrupting holders). */
    boolean holds(long id) {
        for (Entry e : entries) {
            int s = e.seqAcquire();
            if ((s & 1) != 0 && e.guards(s, id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Holder only, before the entry is published: holds {@code g} (or nothing) for entry
     * {@code e}. Counts down on the entry, not on this ledger, so that an open writes nothing
     * of the ledger object (see the overview on false sharing).
     */
    private void hold(EntryFields e, Object g) {
        Object[] h = held;
        int index = e.index;
        if (--e.refreshIn < 0 || index >= h.length) {
            e.refreshIn = REFRESH_OPENS;
            h = refreshHeld();
        }
        if (h[index] != g) {
            h[index] = g;
        }
    }

    /** A fresh (young) {@link #held}, with the slots of the entries open now. */
    private Object[] refreshHeld() {
        Entry[] es = entries;
        Object[] old = held;
        Object[] h = new Object[es.length];
        for (int i = 0; i < old.length && i < es.length; i++) {
            if ((es[i].seqAcquire() & 1) != 0) {
                h[i] = HELD.getAcquire(old, i);
            }
        }
        held = h;
        return h;
    }

    private static final int REFRESH_OPENS = 1024;
    private static final VarHandle HELD = MethodHandles.arrayElementVarHandle(Object[].class);

    Entry[] entries() {
        return entries;
    }

    /** Whether any entry is open (racy: for pruning dead threads' ledgers). */
    boolean anyOpen() {
        for (Entry e : entries) {
            if ((e.seqAcquire() & 1) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * One guard's facts and state; reused for guard after guard by its ledger's thread. Also
     * the {@link ViewHandle.OwnedGuard} that {@code ensureFromView} gets (T3), released on
     * the holder thread by the matching release, so that it allocates nothing.
     */
    abstract static class EntryFields extends Padded implements ViewHandle.OwnedGuard {
        final Ledger ledger;
        private InterpreterLifecycle lifecycle;
        private String owner;
        private boolean ownedByThreadState;
        private long openedTick;
        private List<StackTraceElement> site;
        /** This entry's slot in its ledger's {@code held}. */
        final int index;
        /** Watch thread only: the incarnation last reported as leaked. */
        int reportedSeq;
        /** Keeps the promoted guard's reference reachable; written by the watch thread. */
        LeakRef watch;
        /** Watch thread only: the incarnation it saw open at its previous sweep. */
        int seenSeq;
        /** The ledger's thread-state hint (a copy, written by the holder; racy by contract). */
        Object hint;
        /**
         * The incarnation confirmed last (holder writes, plain): an entry is published — and
         * counted — before the interpreter confirms it, and a refused one is unpublished again;
         * only a confirmed incarnation is a guard, so only it is listed or interrupted.
         */
        private int confirmedSeq;
        @SuppressWarnings("unused")
        private volatile int seq;

        /** Holder only: opens of this entry until the ledger's {@code held} is replaced. */
        int refreshIn = REFRESH_OPENS;

        EntryFields(Ledger ledger, int index) {
            this.ledger = ledger;
            this.index = index;
        }

        /** Holder only, on a claimed entry: the facts of the next incarnation, before it is published. */
        void fill(InterpreterLifecycle l, String o, boolean owned, long tick, List<StackTraceElement> s,
                Object g) {
            // A reference store into this long-lived (old) object costs a StoreLoad fence in
            // G1's post-write barrier (JDK 17): store only what changed. An entry is mostly
            // reused for the same interpreter and owner, so only the guard is stored each time.
            if (lifecycle != l) {
                lifecycle = l;
            }
            if (owner != o) {
                owner = o;
            }
            if (site != s) {
                site = s;
            }
            ownedByThreadState = owned;
            openedTick = tick;
            ledger.hold(this, g);
        }

        /**
         * Holder only: makes the filled entry open as incarnation {@code odd}, counting it — a
         * volatile store, ordered before the caller's read of the guard word (see overview).
         */
        void publish(int odd) {
            SEQ.setVolatile(this, odd);
        }

        /** The seq by a volatile read: for counting ledger guards (see GuardBook#ledgerGuards). */
        int seqVolatile() {
            return (int) SEQ.getVolatile(this);
        }

        /** Whether the incarnation in place (read racily) is for interpreter {@code id}. */
        boolean isFor(long id) {
            InterpreterLifecycle l = lifecycle;
            return l != null && l.interpreter().id() == id;
        }

        /** The guard held strongly, if not yet promoted to a watched one (read after seq). */
        Object guard() {
            Object[] h = ledger.held;
            return index < h.length ? HELD.getAcquire(h, index) : null;
        }

        /** Watch thread: drops the strong reference to {@code g} if it is still the one held. */
        boolean dropGuard(Object g) {
            Object[] h = ledger.held;
            return index < h.length && HELD.compareAndSet(h, index, g, null);
        }

        /** Holder only: incarnation {@code odd}, published, was confirmed: it is a guard now (listed). */
        void confirmed(int odd) {
            confirmedSeq = odd;
        }

        int seqAcquire() {
            return (int) SEQ.getAcquire(this);
        }

        int seq() {
            return seq;
        }

        InterpreterLifecycle lifecycle() {
            return lifecycle;
        }

        /** Whether incarnation {@code s} is open. */
        boolean isOpen(int s) {
            return seq == s;
        }

        /**
         * Ends incarnation {@code s} if it is still open: the idempotence gate of a guard's
         * close (G4) and of a leak's reclaim. Does not touch the guard word.
         */
        boolean close(int s) {
            return SEQ.compareAndSet(this, s, s + 1);
        }

        /** The holder's thread-state hint, shared by every guard of this ledger. */
        @Override
        public Object threadStateHint() {
            return hint;
        }

        /** Kept only when set by the holder thread: the hint is that thread's. */
        @Override
        public void threadStateHint(Object hint) {
            Ledger l = ledger;
            if (Thread.currentThread() == l.holder && l.threadStateHint != hint) {
                l.threadStateHint = hint;
                for (Entry e : l.entries) {
                    e.hint = hint;
                }
            }
        }

        /**
         * T3: the thread state releases the guard it owns, on the holder thread, once: a
         * volatile store (no other thread closes an owned guard, but the store must precede
         * the read of the guard word, see overview), then the interpreter is told.
         */
        @Override
        public void release() {
            InterpreterLifecycle l = lifecycle;
            int s = seq;
            SEQ.setVolatile(this, s + 1);
            l.ledgerGuardReleased();
        }

        /**
         * A consistent snapshot of incarnation-in-place, or null if the entry is free or
         * changed while read (seqlock; see overview).
         */
        GuardInfo snapshot(long interpreterIdOrMinus1, long nowNanos) {
            int s1 = seqAcquire();
            if ((s1 & 1) == 0 || confirmedSeq != s1) {
                return null; // free, or published but not (yet) a guard: see confirmedSeq
            }
            InterpreterLifecycle l = lifecycle;
            String o = owner;
            boolean owned = ownedByThreadState;
            long tick = openedTick;
            List<StackTraceElement> st = site;
            VarHandle.acquireFence();
            if (seq != s1 || l == null) {
                return null;
            }
            long id = l.interpreter().id();
            if (interpreterIdOrMinus1 >= 0 && id != interpreterIdOrMinus1) {
                return null;
            }
            Thread h = ledger.holder;
            return new GuardInfo(id, l.interpreter().name(), h.getId(), h.getName(),
                    Duration.ofNanos(Math.max(0, nowNanos - tick)), st, Optional.ofNullable(o), owned);
        }

        /** Whether open incarnation {@code s} is for interpreter {@code id} (racy; rechecked by seq). */
        boolean guards(int s, long id) {
            return confirmedSeq == s && seq == s && isFor(id);
        }

        private static final VarHandle SEQ;

        static {
            try {
                SEQ = MethodHandles.lookup().findVarHandle(EntryFields.class, "seq", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * An entry: {@link EntryFields} between 64 bytes of padding on each side (see the overview
     * on false sharing), since its holder writes it on every open and close.
     */
    @SuppressWarnings("unused")
    static final class Entry extends EntryFields {
        private long q0, q1, q2, q3, q4, q5, q6, q7;

        Entry(Ledger ledger, int index) {
            super(ledger, index);
        }
    }

    /** Enqueued by the GC when a watched guard became unreachable; names its incarnation. */
    static final class LeakRef extends PhantomReference<Object> {
        final Entry entry;
        final int seq;

        LeakRef(Object guard, ReferenceQueue<Object> queue, Entry entry, int seq) {
            super(guard, queue);
            this.entry = entry;
            this.seq = seq;
        }
    }
}
