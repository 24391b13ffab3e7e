package dev.vigil.guards;

import dev.vigil.api.GuardInfo;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * The bookkeeping of one tracked guard (diagnostics {@code simple} and {@code full}): who
 * opened it, when, where, for whom. It never refers to the guard object itself, so that the
 * guard can become unreachable and its leak be found (P2d).
 *
 * <p>{@link #release()} uncounts the guard exactly once, whoever calls it first: the guard's
 * close, the thread state's release, or the leak detector reclaiming it.
 */
final class Track implements ViewHandle.OwnedGuard {

    final GuardBook book;
    final InterpreterLifecycle lifecycle;
    final Thread holder;
    final long openedNanos = System.nanoTime();
    final List<StackTraceElement> site;
    final String owner;
    final boolean ownedByThreadState;
    @SuppressWarnings("unused")
    private volatile int released;
    /** Strongly held while the track is open (the book's set holds the track). */
    private LeakRef leakRef;

    Track(GuardBook book, InterpreterLifecycle lifecycle, List<StackTraceElement> site, String owner,
            boolean ownedByThreadState) {
        this.book = book;
        this.lifecycle = lifecycle;
        this.holder = Thread.currentThread();
        this.site = site;
        this.owner = owner;
        this.ownedByThreadState = ownedByThreadState;
    }

    /** Uncounts the guard and forgets it; only the first call has an effect. */
    @Override
    public void release() {
        if (RELEASED.compareAndSet(this, 0, 1)) {
            book.forget(this);
            lifecycle.releaseGuard();
        }
    }

    boolean isReleased() {
        return released != 0;
    }

    /** Watches {@code guard}: if it becomes unreachable unreleased, the book hears of the leak. */
    void watch(Object guard) {
        leakRef = new LeakRef(guard, this);
    }

    /** Enqueued by the GC when the watched guard became unreachable. */
    private static final class LeakRef extends PhantomReference<Object> {
        private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
        static {
            Thread t = new Thread(LeakRef::poll, "vigil-leak-watch");
            t.setDaemon(true);
            t.start();
        }
        final Track track;

        LeakRef(Object guard, Track track) {
            super(guard, QUEUE);
            this.track = track;
        }

        private static void poll() {
            for (;;) {
                try {
                    Track t = ((LeakRef) QUEUE.remove()).track;
                    if (!t.isReleased()) {
                        t.book.leaked(t);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable e) {
                    // one failing report (a policy's or notice sink's Error) must not stop
                    // leak detection for every runtime in the JVM
                }
            }
        }
    }

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Track.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    GuardInfo info() {
        return new GuardInfo(lifecycle.interpreter().id(), lifecycle.interpreter().name(), holder.getId(),
                holder.getName(), Duration.ofNanos(System.nanoTime() - openedNanos), site,
                Optional.ofNullable(owner), ownedByThreadState);
    }
}
