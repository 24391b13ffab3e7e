package dev.vigil.shell;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The guards an operator took from the shell ({@code vigil:guard}), numbered from 1.
 *
 * <p>Each guard is opened, held and closed by a thread of its own, {@code vigil-guard-<n>},
 * so that the report and {@code vigil:guards} name a holder that is not the shell, and so
 * that a policy that interrupts holders (timed-interrupt) interrupts that thread, never the
 * shell's. A <em>cooperative</em> holder closes its guard when interrupted, as well-behaved
 * work does; a <em>stubborn</em> one ignores interrupts and holds on until
 * {@code vigil:close} — the guard that never closes, for drills. Thread-safe.
 */
final class HeldGuards {

    private static final long OPEN_TIMEOUT_SECONDS = 5;
    private static final long CLOSE_TIMEOUT_SECONDS = 5;

    /** One held guard. */
    record Held(int number, Interpreter interpreter, boolean stubborn, long openedNanos, Thread holder,
            CountDownLatch closeRequested) {

        Duration age() {
            return Duration.ofNanos(System.nanoTime() - openedNanos);
        }
    }

    private final AtomicInteger numbers = new AtomicInteger();
    private final Map<Integer, Held> held = new ConcurrentSkipListMap<>();
    private final Consumer<String> notices;

    /** {@code notices} receives what holders print on their own threads (interrupts). */
    HeldGuards(Consumer<String> notices) {
        this.notices = notices;
    }

    /**
     * Takes a guard on {@code interpreter} through a view (G2) on a new holder thread.
     *
     * @return the held guard, or empty when the interpreter is finalizing or gone
     */
    Optional<Held> take(InterpreterGuards guards, Interpreter interpreter, boolean stubborn) throws InterruptedException {
        int n = numbers.incrementAndGet();
        CompletableFuture<Optional<Held>> opened = new CompletableFuture<>();
        CountDownLatch closeRequested = new CountDownLatch(1);
        Thread holder = new Thread(() -> hold(guards, interpreter, n, stubborn, closeRequested, opened), "vigil-guard-" + n);
        holder.setDaemon(true); // never keeps the process alive; the guard itself holds shutdown off
        holder.start();
        try {
            return opened.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("guard #" + n + " could not be taken: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            closeRequested.countDown();
            throw new IllegalStateException("guard #" + n + " was not taken within " + OPEN_TIMEOUT_SECONDS + " s");
        }
    }

    private void hold(InterpreterGuards guards, Interpreter interpreter, int n, boolean stubborn,
            CountDownLatch closeRequested, CompletableFuture<Optional<Held>> opened) {
        Optional<InterpreterGuard> guard;
        try (InterpreterView view = guards.viewOf(interpreter)) {
            guard = guards.fromView(view);
        } catch (RuntimeException | Error e) {
            opened.completeExceptionally(e);
            return;
        }
        if (guard.isEmpty()) {
            opened.complete(Optional.empty());
            return;
        }
        Held h = new Held(n, interpreter, stubborn, System.nanoTime(), Thread.currentThread(), closeRequested);
        held.put(n, h);
        opened.complete(Optional.of(h));
        try (InterpreterGuard g = guard.get()) {
            for (;;) {
                try {
                    closeRequested.await();
                    return;
                } catch (InterruptedException e) {
                    if (!stubborn) {
                        notices.accept("[vigil] guard #" + n + " on " + describe(interpreter)
                                + ": holder thread interrupted; closing the guard");
                        return;
                    }
                    notices.accept("[vigil] guard #" + n + " on " + describe(interpreter)
                            + ": holder thread interrupted; stubborn, still holding (vigil:close " + n + ")");
                }
            }
        } finally {
            held.remove(n);
        }
    }

    /**
     * Closes guard {@code number} and waits (bounded) for its holder to end.
     *
     * @return the closed guard
     * @throws IllegalArgumentException if no such guard is held
     */
    Held close(int number) throws InterruptedException {
        Held h = held.get(number);
        if (h == null) {
            throw new IllegalArgumentException("no guard #" + number + " is held by the shell; vigil:guards lists them");
        }
        h.closeRequested().countDown();
        h.holder().join(TimeUnit.SECONDS.toMillis(CLOSE_TIMEOUT_SECONDS));
        return h;
    }

    /** The guard held by {@code holderThreadId}, if that thread is one of the shell's holders. */
    Optional<Held> byHolder(long holderThreadId) {
        for (Held h : held.values()) {
            if (h.holder().getId() == holderThreadId) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /** The guards held now, by number. */
    List<Held> all() {
        return List.copyOf(held.values());
    }

    /** Closes every held guard (the component is going away). */
    void closeAll() throws InterruptedException {
        for (Held h : all()) {
            close(h.number());
        }
    }

    static String describe(Interpreter i) {
        return i.name() + " (#" + i.id() + ")";
    }
}
