package dev.vigil.it.payara.app;

import dev.vigil.api.ThreadStates;
import jakarta.inject.Inject;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Work that runs attached (through the {@link VigilService} stereotype's {@code @Attached}). */
@VigilService
public class AttachedWork {

    @Inject
    ThreadStates threadStates;

    /** Which interpreter the calling thread is attached to while the method runs. */
    public String whereAmI() {
        return threadStates.current().map(i -> i.name() + "#" + i.id()).orElse("detached")
                + " on " + Thread.currentThread().getName();
    }

    /**
     * Holds the interpreter (its guard is open while this runs) for at most {@code seconds},
     * interruptibly; records when it starts and how it ended.
     */
    public String hold(int seconds) {
        EventLog.add("held on " + Thread.currentThread().getName() + " attached to " + whereAmI());
        String outcome;
        try {
            outcome = new CountDownLatch(1).await(seconds, TimeUnit.SECONDS) ? "released" : "timed out";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        }
        EventLog.add("hold ended " + outcome);
        return outcome;
    }
}
