package dev.vigil.it.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * daemon-hang in Karaf: stopping Karaf with a guard held waits, as CPython's {@code Py_Finalize}
 * does, while the shell still answers; the operator gets out by swapping the policy in
 * {@code etc/dev.vigil.runtime.cfg} (P4) or by closing the guard from the shell. Each wait is
 * bounded by the test.
 */
class DaemonHangKarafIT extends KarafPolicyTest {

    private static final Duration STILL_WAITING = Karaf.scaled(Duration.ofSeconds(3));
    private static final String WAITING = "framework stop, registry bundle stopping: shutting the runtime down under policy daemon-hang";

    /** P3a + P4: the stop waits on the guard; a .cfg edit swapping in fail-fast makes it abort and Karaf stop. */
    @Test
    void P4_daemonHang_binStopWaits_untilTheCfgFileSwapsInFailFast() throws Exception {
        startWithFeature("daemon-hang-cfg", "vigil", "daemon-hang",
                Map.of("dev.vigil.runtime.cfg", "policy = daemon-hang\n"));
        holdGuard();
        ProcessHandle process = karaf.process().orElseThrow();

        karaf.stop();
        assertStopWaitsOnTheGuard(process);

        karaf.writeCfg("dev.vigil.runtime.cfg", "policy = fail-fast\n");
        karaf.awaitExit(process);

        assertThat(reports()).contains("ABORTED").contains("fail-fast");
        assertReportInKarafLog("ABORTED");
    }

    /** P3a: the stop (SIGTERM) waits on the guard; closing it from the shell lets the shutdown complete. */
    @Test
    void P3a_daemonHang_sigtermWaits_untilTheGuardIsClosedFromTheShell() throws Exception {
        startWithFeature("daemon-hang-close", "vigil-daemon-hang", "daemon-hang", Map.of());
        holdGuard();
        ProcessHandle process = karaf.process().orElseThrow();

        karaf.sigterm();
        assertStopWaitsOnTheGuard(process);
        assertThat(karaf.client("vigil:interrupt")).as("an interrupt under daemon-hang keeps waiting").isNotNull();
        assertThat(process.isAlive()).isTrue();

        karaf.client("vigil:close 1");
        karaf.awaitExit(process);

        assertThat(reports()).contains("COMPLETED").contains("daemon-hang");
        assertReportInKarafLog("COMPLETED");
    }

    /** The stop is waiting: Karaf alive, the notice given, no report yet, the guard listed by the still-working shell. */
    private void assertStopWaitsOnTheGuard(ProcessHandle process) throws Exception {
        await("Vigil's shutdown starts").atMost(Karaf.BOUND).pollInterval(POLL).until(() -> reports().contains(WAITING));
        await("Karaf's stop keeps waiting on the guard").during(STILL_WAITING).atMost(STILL_WAITING.plus(Karaf.BOUND))
                .pollInterval(POLL).until(() -> process.isAlive() && !reports().contains("Finalization of main"));
        assertThat(karaf.client("vigil:guards")).contains("main (#");
    }
}
