package dev.vigil.it.payara;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * daemon-hang in Payara Micro: stopping the server waits for the held request for as long as
 * it holds (P3a, CPython's behaviour) — the server stays up, finalization requested but not
 * done — and finalizes once the holder returns. The test bounds the hold itself.
 */
class DaemonHangPayaraIT extends PayaraDeployment {

    /** How long the request holds; the server must still be waiting for most of it. */
    private static final Duration HOLD = scaled(Duration.ofSeconds(12));
    private static final Duration STILL_WAITING = scaled(Duration.ofSeconds(3));

    @Deployment(name = APP, managed = false, testable = false)
    static WebArchive deployment() {
        return war(DaemonHangPayaraIT.class, "daemon-hang", Map.of());
    }

    @Test
    void P3a_daemonHang_serverStopWaitsForTheHeldRequest_thenFinalizes(
            @ArquillianResource @OperateOnDeployment(APP) URL base) throws Exception {
        Event held = holdAndStopServer(base, HOLD.toSeconds());
        await("the shutdown keeps waiting on the held guard, the server alive").during(STILL_WAITING)
                .atMost(STILL_WAITING.plus(BOUND))
                .until(() -> event("finalized").isEmpty() && event("aborted").isEmpty()
                        && server().map(ProcessHandle::isAlive).orElse(false));

        Event released = awaitEvent("hold ended timed out");
        Event finalized = awaitEvent("finalized main");
        awaitServerExit();

        assertThat(finalized.at()).as("finalized only after the holder returned").isGreaterThanOrEqualTo(released.at());
        assertThat(released.at() - held.at()).isGreaterThanOrEqualTo(HOLD.toMillis() - 50);
        assertThat(finalized.text()).contains("daemon-hang").contains("COMPLETED");
    }
}
