package dev.vigil.guards;

import dev.vigil.api.GuardInfo;
import dev.vigil.spi.kernel.InterpreterLifecycle;
import dev.vigil.spi.kernel.ViewHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final AtomicBoolean released = new AtomicBoolean();

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
        if (released.compareAndSet(false, true)) {
            book.forget(this);
            lifecycle.releaseGuard();
        }
    }

    boolean isReleased() {
        return released.get();
    }

    GuardInfo info() {
        return new GuardInfo(lifecycle.interpreter().id(), lifecycle.interpreter().name(), holder.getId(),
                holder.getName(), Duration.ofNanos(System.nanoTime() - openedNanos), site,
                Optional.ofNullable(owner), ownedByThreadState);
    }
}
