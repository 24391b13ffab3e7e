package dev.vigil.threadstate;

import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle.OwnedGuard;

/**
 * One thread's attachments in one runtime: the attached state, the last-used state, and a
 * stack of frames, one per successful ensure or detach not yet released.
 *
 * <p>Confined to its thread: every method but {@link #owner} checks runs on it, so nothing
 * here is synchronized or volatile. Other threads may only read the final field
 * {@link #owner} (a guard's thread-state hint is read racily, and only its owner reads more).
 */
final class PerThread {

    /*
     * Implementation overview
     *
     * Each ensure, ensureFromView, legacyEnsure or detach pushes a frame and returns a token
     * that carries the frame's stamp: a number drawn from a per-thread counter that only
     * grows. A release is valid only for the top frame's stamp, which makes every misuse of
     * T4 detectable without any state in the token: a second release finds another stamp on
     * top (an older frame's, or a newer one's), an out-of-order release finds its stamp
     * deeper in the stack, a release on another thread fails the owner check. An invalid
     * release throws before touching anything. Tokens being immutable, escape analysis can
     * remove them when used in try-with-resources.
     *
     * A frame remembers the state it attached or counted on (frameState) and the state attached
     * before it, restored by its release (framePrev, which is how switching interpreters
     * nests, T1). The guard an ensureFromView frame owns (T3) comes with its token, not in
     * the frame (storing it into a long-lived array would cost a StoreLoad in G1's post-write
     * barrier on every ensureFromView, see below): a valid release releases it after the
     * state's own cleanup, and an invalid one throws before it. A frame's kind (ENSURE,
     * DETACH, or NESTED: an ensure on the state already attached, without an owned guard,
     * whose state is also the one to restore) sits in the two low bits of frameStamp, beside
     * the stamp, with a fourth kind REATTACH: an ensure from a detached thread without an
     * owned guard, which has no state to restore.
     * NESTED and REATTACH frames write only their stamp: their state is the one attached when
     * the ensure returned, which the token carries (a token is scalar-replaced when used in
     * try-with-resources, so this costs nothing), and their release — the commonest (T1a,
     * T1b) — is one compare of the whole frame word against stamp and kind. A NESTED release
     * restores nothing: the frames above it, released first (T4), have restored what they
     * changed. frameState is written for ENSURE and DETACH frames only, and above the top it
     * stays stale (a push stores a state only if the slot does not hold it already: reference
     * stores into long-lived arrays cost a StoreLoad fence in G1's post-write barrier on JDK
     * 17). framePrev is null above the top. The arrays grow by doubling and are never
     * shrunk, so nesting and re-attaching allocate nothing once warm.
     *
     * States: `attached` is the state the thread runs in (null when detached); `lastUsed` is
     * the state T1(b) re-attaches. A state counts its open ENSURE and REATTACH frames, and one
     * created by ensure is discarded when that count reaches zero (T4): marked with a count of
     * -1, it stays `lastUsed` (never re-attached by (b)) or becomes `spare`, and the next T1(c)
     * reuses it, so that ensureFromView from a thread with no state allocates nothing and
     * stores no reference it need not. NESTED frames are not counted, so that T1a writes
     * nothing but its frame: a NESTED frame is pushed only while its state is attached, and a
     * state created by ensure is attached only while the frame that created or re-attached it
     * (a counted one) is open below; by T4 the NESTED frame is released first, so counting it
     * could never change when the count reaches zero.
     */

    static final byte ENSURE = 0;
    static final byte DETACH = 1;
    /**
     * The frame of an ensure on the state already attached, without an owned guard (T1a): it
     * keeps nothing but its stamp: its state, the one attached, comes with the token.
     */
    private static final long NESTED = 2;
    /**
     * The frame of an ensure from a detached thread, without an owned guard (T1b, T1c): its
     * release restores no state; the state it attached comes with the token.
     */
    private static final long REATTACH = 3;

    final Thread owner = Thread.currentThread();
    /**
     * The manager (runtime) this state belongs to, while it is that manager's live state of
     * {@link #owner}; null once the manager dropped it from its ThreadLocal (retired). Checked
     * with {@link #owner} on a guard's hint (one compare for both). Owner writes only.
     */
    Object liveFor;
    /** The runtime's engine hooks (DESIGN.md §6), looked up only when a state is made for another
     * interpreter than before, or after a hook was installed or uninstalled. */
    private final Hooks hooks;
    State attached;
    State lastUsed;
    private State spare;
    private long stamps;
    private int depth;
    private long[] frameStamp = new long[8];
    private State[] frameState = new State[8];
    private State[] framePrev = new State[8];

    PerThread(Object manager, Hooks hooks) {
        this.liveFor = manager;
        this.hooks = hooks;
    }

    /**
     * T1: attaches to {@code lifecycle}'s interpreter, nesting, re-attaching or creating, and
     * pushes the frame. Returns its stamp.
     */
    long ensure(InterpreterLifecycle lifecycle, OwnedGuard owned) {
        State prev = attached;
        if (prev != null && prev.lifecycle == lifecycle && owned == null) {
            return pushShort(NESTED);                   // (a) nested: attached and lastUsed are prev already
        }
        return attach(lifecycle, owned);
    }

    /** T1 (a) with an owned guard, (b) and (c): out of line, so that the nested path inlines. */
    private long attach(InterpreterLifecycle lifecycle, OwnedGuard owned) {
        State prev = attached;
        State s;
        if (prev != null && prev.lifecycle == lifecycle) {
            s = prev;                                   // (a) already attached: count
        } else if (lastUsed != null && lastUsed.lifecycle == lifecycle && lastUsed.ensureCount >= 0) {
            s = lastUsed;                               // (b) re-attach the last-used state
            refreshHook(s);
        } else {
            s = newState(lifecycle, true);              // (c) create, owned by ensure
        }
        if (s != prev) {
            move(prev, s, true);                        // engine seam; may throw, nothing changed yet
        }
        s.ensureCount++;
        attached = s;
        if (lastUsed != s) {
            lastUsed = s;
        }
        return prev == null && owned == null ? pushShort(REATTACH) : push(ENSURE, s, prev);
    }

    /** T6: gives up the attachment; returns the frame's stamp. Requires {@code attached != null}. */
    long detach() {
        State s = attached;
        attached = null;
        move(s, null, false);
        return push(DETACH, s, s);
    }

    /**
     * Releases the top frame if it carries {@code stamp} (T4), and then {@code owned}, the
     * guard the frame owns (T3; null if none). For a detach frame, returns the state to
     * re-attach, for the caller to check for a late attach; else null.
     *
     * @throws IllegalStateException on the wrong thread, out of order or a second time;
     *         nothing is changed then
     */
    State release(long stamp, byte kind, State s, OwnedGuard owned) {
        if (Thread.currentThread() != owner) {
            throw wrongThread();
        }
        int top = depth - 1;
        if (top >= 0 && kind == ENSURE) {
            // the two commonest releases, one compare each; their state comes with the token
            long frame = frameStamp[top];
            if (frame == (stamp << 2 | NESTED)) {       // T1a
                // Nothing to restore: every frame above this one has been released (T4) and
                // restored the attachment it changed, so `s` is attached and last used again
                // (or, if a detachment above failed its late attach, the thread stays detached,
                // as F1 wants).
                // Nor does it count: `s` is counted by a frame below (see the overview).
                depth = top;
                return null;
            }
            if (frame == (stamp << 2 | REATTACH)) {     // T1b, T1c
                depth = top;
                uncount(s);
                attached = null;
                move(s, null, false);                   // the engine leaves its context (DESIGN.md §6)
                return null;
            }
        }
        return releaseFrame(stamp, kind, top, owned);
    }

    /** Drops one ensure from {@code s}; a state created by ensure is discarded at zero (T4). */
    private void uncount(State s) {
        if (--s.ensureCount == 0 && s.ownedByEnsure) {
            discard(s);
        }
    }

    /** The general release: ENSURE frames (they restore a state or own a guard) and detachments. */
    private State releaseFrame(long stamp, byte kind, int top, OwnedGuard owned) {
        long frame = top < 0 ? 0 : frameStamp[top];
        if (top < 0 || frame >>> 2 != stamp || (kind == DETACH) != ((frame & 3) == DETACH)) {
            throw new IllegalStateException(misuse(stamp, kind));
        }
        // an ENSURE or DETACH frame: a valid release of a NESTED or REATTACH one took the fast path
        State s = frameState[top];
        depth = top;
        State prev = framePrev[top];
        framePrev[top] = null;
        if (kind == DETACH) {
            return s;                                   // the caller re-attaches
        }
        uncount(s);
        attached = prev;
        if (prev != null) {
            lastUsed = prev;
        }
        if (prev != s) {
            move(s, prev, false);
        }
        if (owned != null) {
            owned.release();                            // T3: after the state's own cleanup
        }
        return null;
    }

    /** Re-attaches the state a detach frame gave up (after the late-attach check). */
    void reattach(State s) {
        refreshHook(s);
        move(null, s, false);
        attached = s;
        if (lastUsed != s) {
            lastUsed = s;
        }
    }

    /** H1: a state owned by the thread itself, attached for the thread's task. */
    State bind(InterpreterLifecycle lifecycle) {
        State s = newState(lifecycle, false);
        move(attached, s, true);
        attached = s;
        lastUsed = s;
        return s;
    }

    /** Ends {@link #bind}: attaches {@code previous} again. */
    void unbind(State bound, State previous) {
        attached = previous;
        lastUsed = previous;
        move(bound, previous, false);
    }

    /**
     * The engine seam (DESIGN.md §6, {@link AttachHook}): tells the engines of the state the
     * thread leaves and the state it enters. Costs one null check per side for interpreters
     * without an engine. If entering fails (only when {@code mayFail}), {@code from} is
     * entered again and the failure propagates.
     */
    private static void move(State from, State to, boolean mayFail) {
        AttachHook left = from == null ? null : from.hook;
        if (left != null) {
            left.detached(from.lifecycle);
        }
        if (to != null && to.hook != null) {
            try {
                to.hook.attached(to.lifecycle, mayFail);
            } catch (RuntimeException | Error e) {
                if (left != null) {
                    left.attached(from.lifecycle, false);
                }
                throw e;
            }
        }
    }

    /** The stamp of the frame pushed last (the top frame right after a push). */
    long lastStamp() {
        return stamps;
    }

    boolean hasFrames() {
        return depth > 0;
    }

    private long push(byte kind, State s, State prev) {
        if (depth == frameStamp.length) {
            grow();
        }
        long stamp = ++stamps;
        frameStamp[depth] = stamp << 2 | kind;
        if (frameState[depth] != s) {                   // see the overview (G1's post-write barrier)
            frameState[depth] = s;
        }
        if (framePrev[depth] != prev) {
            framePrev[depth] = prev;
        }
        depth++;
        return stamp;
    }

    /**
     * Pushes a frame that stores only its stamp (NESTED, REATTACH): its state comes with the
     * token (see overview).
     */
    private long pushShort(long kind) {
        if (depth == frameStamp.length) {
            grow();
        }
        long stamp = ++stamps;
        frameStamp[depth] = stamp << 2 | kind;
        depth++;
        return stamp;
    }

    private void grow() {
        int n = frameStamp.length * 2;
        frameStamp = java.util.Arrays.copyOf(frameStamp, n);
        frameState = java.util.Arrays.copyOf(frameState, n);
        framePrev = java.util.Arrays.copyOf(framePrev, n);
    }

    private State newState(InterpreterLifecycle lifecycle, boolean ownedByEnsure) {
        State s = lastUsed;
        if (s != null && s.ensureCount < 0) {           // discarded, still in place: reuse without a store
            s.reset(lifecycle, ownedByEnsure);
        } else if ((s = spare) != null) {
            spare = null;
            s.reset(lifecycle, ownedByEnsure);
        } else {
            s = new State(lifecycle, ownedByEnsure);
        }
        refreshHook(s);
        return s;
    }

    /**
     * Before a state that is not entered is attached: looks its interpreter's hook up again if
     * a hook was installed or uninstalled since it last did ({@link Hooks}), so that the attach
     * and the detach after it call the hook installed now. A state that is attached keeps the
     * hook it entered with until it is detached, so that a hook uninstalled meanwhile still
     * hears the detach that pairs with its attach.
     */
    private void refreshHook(State s) {
        int version = hooks.version();
        if (s.hookVersion != version) {                 // else s.hook is this interpreter's still (Hooks)
            AttachHook hook = hooks.get(s.lifecycle);
            if (s.hook != hook) {                       // no reference store when unchanged (see the overview)
                s.hook = hook;
            }
            s.hookVersion = version;
        }
    }

    /**
     * Discards a state created by ensure (T4): marked by a count of -1, never re-attached by
     * (b) and reused by the next (c). Left as lastUsed if it was (no reference store), else
     * kept as the spare.
     */
    private void discard(State s) {
        s.ensureCount = -1;
        if (lastUsed != s && spare != s) {
            spare = s;
        }
    }

    private IllegalStateException wrongThread() {
        return new IllegalStateException("released on thread \"" + Thread.currentThread().getName()
                + "\" but ensured on thread \"" + owner.getName() + "\" (T4: same thread)");
    }

    private String misuse(long stamp, byte kind) {
        String what = kind == DETACH ? "detachment" : "token";
        for (int i = depth - 2; i >= 0; i--) {
            if (frameStamp[i] >>> 2 == stamp) {
                return what + " released out of order: " + (depth - 1 - i)
                        + " later ensure(s) or detach(es) on this thread are still open (T4: last in, first out)";
            }
        }
        return what + " already released (T4: each ensure is released exactly once)";
    }

    /** A thread state: one thread's attachment to one interpreter. */
    static final class State {
        InterpreterLifecycle lifecycle;
        boolean ownedByEnsure;
        /** Open ENSURE and REATTACH frames on this state (not NESTED ones); -1 once discarded. */
        int ensureCount;
        /** The interpreter's engine hook, null for an interpreter without an engine. */
        AttachHook hook;
        /** The {@link Hooks#version()} {@link #hook} was looked up at; -1: not looked up for this interpreter. */
        int hookVersion = -1;

        State(InterpreterLifecycle lifecycle, boolean ownedByEnsure) {
            this.lifecycle = lifecycle;
            this.ownedByEnsure = ownedByEnsure;
        }

        void reset(InterpreterLifecycle l, boolean owned) {
            if (lifecycle != l) {
                lifecycle = l;
                hookVersion = -1;
            }
            ownedByEnsure = owned;
            ensureCount = 0;
        }
    }
}
