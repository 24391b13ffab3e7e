package dev.vigil.it.karaf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** fail-fast in Karaf: {@code bin/stop} with a guard held aborts Vigil's shutdown after the grace and Karaf stops (P3a, F6). */
class FailFastKarafIT extends KarafPolicyTest {

    /** The policy's default grace: Karaf's etc/*.cfg cannot reach the PID dev.vigil.policy.fail-fast (see README). */
    private static final long GRACE_MS = 100;

    @Test
    void P3a_failFast_binStopWithAGuardHeld_abortsAfterGrace_andKarafStops() throws Exception {
        startWithFeatureAndHoldGuard("fail-fast", "vigil-fail-fast", "fail-fast", Map.of());
        long stopMillis = stopAndAwaitExit(false);

        assertThat(stopMillis).as("Karaf held until the grace ran out, then stopped")
                .isGreaterThanOrEqualTo(GRACE_MS).isLessThan(Karaf.BOUND.toMillis());
        assertThat(reports()).contains("framework stopping (Ctrl-D or stop 0 at a console, or the container's stop): shutting the runtime down under policy fail-fast")
                .contains("ABORTED - still waiting on open guards after").contains("(grace " + GRACE_MS + "ms)").contains("the policy aborted the shutdown; the framework goes on stopping");
        assertReportInKarafLog("ABORTED");
    }
}
