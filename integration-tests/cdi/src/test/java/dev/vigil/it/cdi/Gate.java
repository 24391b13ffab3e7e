package dev.vigil.it.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a call open until the test releases it: the call says it {@link #entered()}, then
 * waits for {@link #release()}, bounded by {@link Waits#BOUND}. An interruptible gate lets an
 * interrupt end the wait (the holder "lets go", as timed-interrupt expects); a stubborn one
 * ignores interrupts until released, keeping the interrupt status.
 */
public final class Gate {

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final boolean interruptible;

    private Gate(boolean interruptible) {
        this.interruptible = interruptible;
    }

    /** A gate whose wait an interrupt ends. */
    public static Gate interruptible() {
        return new Gate(true);
    }

    /** A gate whose wait ignores interrupts until released. */
    public static Gate stubborn() {
        return new Gate(false);
    }

    /**
     * Called by the held call: signals entry, then waits for release.
     *
     * @return {@code "released"}, {@code "interrupted"} (interruptible gate), or
     *         {@code "timed out"} if the test never released it within the bound
     */
    public String hold() {
        entered.countDown();
        long deadline = System.nanoTime() + Waits.BOUND.toNanos();
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return released.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) ? "released" : "timed out";
                } catch (InterruptedException e) {
                    if (interruptible) {
                        return "interrupted";
                    }
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits, bounded, until a call entered the gate; fails the test if none did. */
    public void awaitEntered() throws InterruptedException {
        assertThat(entered.await(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("a call entered the gate").isTrue();
    }

    /** Lets the held call go on; idempotent. */
    public void release() {
        released.countDown();
    }
}
