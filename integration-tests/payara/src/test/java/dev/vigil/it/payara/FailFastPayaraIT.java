package dev.vigil.it.payara;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/** fail-fast in Payara Micro: stopping the server with a held request aborts after the grace (P3a, F6, F7). */
class FailFastPayaraIT extends PayaraDeployment {

    private static final long GRACE_MS = 1000;

    @Deployment(name = APP, managed = false, testable = false)
    static WebArchive deployment() {
        return war(FailFastPayaraIT.class, "fail-fast", Map.of("fail-fast.grace", GRACE_MS + "ms"));
    }

    @Test
    void P3a_failFast_serverStopWithAHeldRequest_abortsAfterGrace_reportsAndLetsTheServerStop(
            @ArquillianResource @OperateOnDeployment(APP) URL base) throws Exception {
        holdAndStopServer(base, BOUND.toSeconds());
        Event requested = event("requested main").orElseThrow();
        Event aborted = awaitEvent("aborted main");
        awaitEvent("notice [vigil] container shutdown goes on with the runtime RUNNING");
        long exited = awaitServerExit();

        assertThat(aborted.text()).contains("fail-fast");
        assertThat(aborted.at() - requested.at()).as("aborted after the grace").isGreaterThanOrEqualTo(GRACE_MS - 50);
        assertThat(exited - undeployedAt()).as("the server stops within the bound").isLessThan(BOUND.toMillis());
        assertThat(event("finalized main")).as("an aborted shutdown finalizes nothing").isEmpty();
    }
}
