package dev.vigil.it.karaf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** timed-interrupt in Karaf: SIGTERM with a guard held interrupts the holder after the timeout, then Karaf stops (P3a). */
class TimedInterruptKarafIT extends KarafPolicyTest {

    /** The policy's default timeout: Karaf's etc/*.cfg cannot reach the PID dev.vigil.policy.timed-interrupt (see README). */
    private static final long TIMEOUT_MS = 5000;

    @Test
    void P3a_timedInterrupt_sigtermWithAGuardHeld_interruptsTheHolder_thenFinalizesAndStops() throws Exception {
        startWithFeatureAndHoldGuard("timed-interrupt", "vigil-timed-interrupt", "timed-interrupt", Map.of());
        long stopMillis = stopAndAwaitExit(true);

        assertThat(stopMillis).as("Karaf held until the timeout, then stopped")
                .isGreaterThanOrEqualTo(TIMEOUT_MS).isLessThan(Karaf.BOUND.toMillis());
        assertThat(reports()).contains("framework stopping (Ctrl-D or stop 0 at a console, or the container's stop): shutting the runtime down under policy timed-interrupt")
                .contains("COMPLETED")
                .contains("guard #1 on main (#0): holder thread interrupted; closing the guard"); // the holder's own line
        assertReportInKarafLog("COMPLETED");
    }
}
