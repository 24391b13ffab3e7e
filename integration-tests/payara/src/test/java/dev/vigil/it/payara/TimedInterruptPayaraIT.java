package dev.vigil.it.payara;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/** timed-interrupt in Payara Micro: stopping the server interrupts the held request thread after the timeout, then completes (P3a). */
class TimedInterruptPayaraIT extends PayaraDeployment {

    private static final long TIMEOUT_MS = 1000;

    @Deployment(name = APP, managed = false, testable = false)
    static WebArchive deployment() {
        return war(TimedInterruptPayaraIT.class, "timed-interrupt", Map.of(
                "timed-interrupt.timeout", TIMEOUT_MS + "ms",
                "timed-interrupt.interruptGrace", BOUND.toSeconds() / 2 + "s"));
    }

    @Test
    void P3a_timedInterrupt_serverStop_interruptsTheHeldRequestThread_thenFinalizes(
            @ArquillianResource @OperateOnDeployment(APP) URL base) throws Exception {
        Event held = holdAndStopServer(base, BOUND.toSeconds());
        Event requested = event("requested main").orElseThrow();
        Event interrupted = awaitEvent("hold ended interrupted");
        Event finalized = awaitEvent("finalized main");
        long exited = awaitServerExit();

        assertThat(interrupted.at() - requested.at()).as("interrupted after the timeout").isGreaterThanOrEqualTo(TIMEOUT_MS - 50);
        assertThat(finalized.at()).as("finalized once the holder let go").isGreaterThanOrEqualTo(interrupted.at());
        assertThat(finalized.text()).contains("timed-interrupt").contains("COMPLETED")
                .as("the policy, not the server, interrupted the holder").contains("interrupted 1 holder thread");
        assertThat(held.text()).contains("attached to main#");
        assertThat(event("aborted")).isEmpty();
        assertThat(exited - undeployedAt()).isLessThan(BOUND.toMillis());
    }
}
