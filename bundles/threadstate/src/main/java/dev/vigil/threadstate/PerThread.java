package dev.vigil.threadstate;

import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle.OwnedGuard;
import java.util.Map;

/**
 * One thread's attachments in one runtime: the attached state, the last-used state, and a
 * stack of frames, one per successful ensure or detach not yet released.
 *
 * <p>Confined to its thread: every method but {@link #owner} checks runs on it, so nothing
 * here is synchronized or volatile.
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
     * A frame remembers the state it attached or counted on (frameState), the state attached
     * before it, restored by its release (framePrev, which is how switching interpreters
     * nests, T1), and the guard it owns (frameGuard, ensureFromView, T3), released after the
     * state's own cleanup. Its kind (ENSURE, DETACH, or NESTED: an ensure on the state
     * already attached, without an owned guard, whose state is also the one to restore) sits
     * in the two low bits of frameStamp, beside the stamp; a NESTED frame writes only its
     * stamp and state, so the commonest nesting (T1a) costs two array stores. framePrev and
     * frameGuard are null above the top. The arrays grow by doubling and are never shrunk,
     * so nesting and re-attaching allocate nothing once warm.
     *
     * States: `attached` is the state the thread runs in (null when detached); `lastUsed` is
     * the state T1(b) re-attaches. A state created by ensure is discarded when its counter
     * reaches zero (T4); its object is kept as `spare` and reused by the next T1(c), so that
     * ensureFromView from a thread with no state allocates nothing either.
     */

    static final byte ENSURE = 0;
    static final byte DETACH = 1;
    /**
     * The frame of an ensure on the state already attached, without an owned guard (T1a): it
     * keeps only that state, which is also the state to restore (frameState == framePrev).
     */
    private static final long NESTED = 2;

    final Thread owner = Thread.currentThread();
    /** The runtime's engine hooks (DESIGN.md §6), looked up only when a state is made. */
    private final Map<InterpreterLifecycle, AttachHook> hooks;
    State attached;
    State lastUsed;
    private State spare;
    private long stamps;
    private int depth;
    private long[] frameStamp = new long[8];
    private State[] frameState = new State[8];
    private State[] framePrev = new State[8];
    /** Null above depth; written only for frames that own a guard. */
    private OwnedGuard[] frameGuard = new OwnedGuard[8];

    PerThread(Map<InterpreterLifecycle, AttachHook> hooks) {
        this.hooks = hooks;
    }

    /**
     * T1: attaches to {@code lifecycle}'s interpreter, nesting, re-attaching or creating, and
     * pushes the frame. Returns its stamp.
     */
    long ensure(InterpreterLifecycle lifecycle, OwnedGuard owned) {
        State prev = attached;
        if (prev != null && prev.lifecycle == lifecycle && owned == null) {
            prev.ensureCount++;                         // (a) nested: attached and lastUsed are prev already
            return pushNested(prev);
        }
        return attach(lifecycle, owned);
    }

    /** T1 (a) with an owned guard, (b) and (c): out of line, so that the nested path inlines. */
    private long attach(InterpreterLifecycle lifecycle, OwnedGuard owned) {
        State prev = attached;
        State s;
        if (prev != null && prev.lifecycle == lifecycle) {
            s = prev;                                   // (a) already attached: count
        } else if (lastUsed != null && lastUsed.lifecycle == lifecycle) {
            s = lastUsed;                               // (b) re-attach the last-used state
        } else {
            s = newState(lifecycle, true);              // (c) create, owned by ensure
        }
        if (s != prev) {
            move(prev, s, true);                        // engine seam; may throw, nothing changed yet
        }
        s.ensureCount++;
        attached = s;
        lastUsed = s;
        return push(ENSURE, s, prev, owned);
    }

    /** T6: gives up the attachment; returns the frame's stamp. Requires {@code attached != null}. */
    long detach() {
        State s = attached;
        attached = null;
        move(s, null, false);
        return push(DETACH, s, s, null);
    }

    /**
     * Releases the top frame if it carries {@code stamp} (T4). For a detach frame, returns
     * the state to re-attach, for the caller to check for a late attach; else null.
     *
     * @throws IllegalStateException on the wrong thread, out of order or a second time;
     *         nothing is changed then
     */
    State release(long stamp, byte kind) {
        if (Thread.currentThread() != owner) {
            throw wrongThread();
        }
        int top = depth - 1;
        long frame = top < 0 ? 0 : frameStamp[top];
        if (top < 0 || frame >>> 2 != stamp || (kind == DETACH) != ((frame & 3) == DETACH)) {
            throw new IllegalStateException(misuse(stamp, kind));
        }
        State s = frameState[top];
        frameState[top] = null;
        depth = top;
        State prev;
        OwnedGuard owned;
        if ((frame & 3) == NESTED) {
            prev = s;
            owned = null;
        } else {
            prev = framePrev[top];
            owned = frameGuard[top];
            framePrev[top] = null;
            if (owned != null) {
                frameGuard[top] = null;
            }
        }
        if (kind == DETACH) {
            return s;                                   // the caller re-attaches
        }
        if (--s.ensureCount == 0 && s.ownedByEnsure) {
            discard(s);
        }
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
        move(null, s, false);
        attached = s;
        lastUsed = s;
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

    boolean hasFrames() {
        return depth > 0;
    }

    private long push(byte kind, State s, State prev, OwnedGuard owned) {
        if (depth == frameStamp.length) {
            grow();
        }
        long stamp = ++stamps;
        frameStamp[depth] = stamp << 2 | kind;
        frameState[depth] = s;
        framePrev[depth] = prev;
        if (owned != null) {
            frameGuard[depth] = owned;
        }
        depth++;
        return stamp;
    }

    private long pushNested(State s) {
        if (depth == frameStamp.length) {
            grow();
        }
        long stamp = ++stamps;
        frameStamp[depth] = stamp << 2 | NESTED;
        frameState[depth] = s;
        depth++;
        return stamp;
    }

    private void grow() {
        int n = frameStamp.length * 2;
        frameStamp = java.util.Arrays.copyOf(frameStamp, n);
        frameState = java.util.Arrays.copyOf(frameState, n);
        framePrev = java.util.Arrays.copyOf(framePrev, n);
        frameGuard = java.util.Arrays.copyOf(frameGuard, n);
    }

    private State newState(InterpreterLifecycle lifecycle, boolean ownedByEnsure) {
        State s = spare;
        if (s != null) {
            spare = null;
            s.reset(lifecycle, ownedByEnsure);
        } else {
            s = new State(lifecycle, ownedByEnsure);
        }
        s.hook = hooks.isEmpty() ? null : hooks.get(lifecycle);
        return s;
    }

    private void discard(State s) {
        if (lastUsed == s) {
            lastUsed = null;
        }
        s.ensureCount = -1; // marks it discarded: never re-attached by (b)
        spare = s;
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
        /** Ensures not yet released on this state; -1 once discarded. */
        int ensureCount;
        /** The interpreter's engine hook, null for an interpreter without an engine. */
        AttachHook hook;

        State(InterpreterLifecycle lifecycle, boolean ownedByEnsure) {
            this.lifecycle = lifecycle;
            this.ownedByEnsure = ownedByEnsure;
        }

        void reset(InterpreterLifecycle l, boolean owned) {
            lifecycle = l;
            ownedByEnsure = owned;
            ensureCount = 0;
        }
    }
}
