package dev.vigil.it.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * daemon-hang in Karaf: stopping Karaf with a guard held waits, as CPython's {@code Py_Finalize}
 * does, while the shell still answers; the operator gets out by swapping the policy through
 * Configuration Admin (P4) or by closing the guard from the shell. Each wait is bounded by the
 * test.
 */
class DaemonHangKarafIT extends KarafPolicyTest {

    private static final Duration STILL_WAITING = Karaf.scaled(Duration.ofSeconds(3));
    private static final String WAITING =
            "framework stopping (Ctrl-D or stop 0 at a console, or the container's stop): shutting the runtime down under policy daemon-hang";

    /**
     * P4: editing etc/dev.vigil.runtime.cfg swaps the policy of a running Karaf; then a stop held
     * under daemon-hang is unstuck by swapping in fail-fast through Configuration Admin from the
     * shell (config:edit … config:update, which also rewrites the .cfg file): it aborts at once
     * and Karaf stops.
     */
    @Test
    void P4_cfgFileSwapsTheRunningPolicy_andAConfigAdminSwapUnsticksAHeldStop() throws Exception {
        startWithFeatureAndHoldGuard("daemon-hang-cfg", "vigil", "fail-fast",
                Map.of("dev.vigil.runtime.cfg", "policy = fail-fast\n"));
        karaf.writeCfg("dev.vigil.runtime.cfg", "policy = daemon-hang\n");
        await("etc/dev.vigil.runtime.cfg swaps the policy").atMost(Karaf.BOUND).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(karaf.client("vigil:policy")).contains("active: daemon-hang"));
        ProcessHandle process = karaf.process().orElseThrow();

        karaf.stop();
        assertStopWaitsOnTheGuard(process);

        karaf.client("config:edit dev.vigil.runtime", "config:property-set policy fail-fast", "config:update");
        karaf.awaitExit(process);

        // the report's header names the swap; Karaf's default layout cuts a message at 500 characters
        // (%.-500m in etc/org.ops4j.pax.logging.cfg), so the report's event lines may not be there
        assertThat(reports()).contains("policy: daemon-hang -> fail-fast").contains("ABORTED");
        assertThat(Files.readString(karaf.home.resolve("etc/dev.vigil.runtime.cfg"))).contains("policy = fail-fast");
        assertReportInKarafLog("ABORTED");
    }

    /** P3a: the stop (SIGTERM) waits on the guard; an interrupt (P3b: report, keep waiting) and closing the guard from the shell let it complete. */
    @Test
    void P3a_daemonHang_sigtermWaits_untilTheGuardIsClosedFromTheShell() throws Exception {
        startWithFeatureAndHoldGuard("daemon-hang-close", "vigil-daemon-hang", "daemon-hang", Map.of());
        ProcessHandle process = karaf.process().orElseThrow();

        karaf.sigterm();
        assertStopWaitsOnTheGuard(process);
        karaf.client("vigil:interrupt", "vigil:close 1");
        karaf.awaitExit(process);

        assertThat(reports()).contains("COMPLETED").contains("daemon-hang");
        assertReportInKarafLog("COMPLETED");
    }

    /** The stop is waiting: Karaf alive, the notice given, no report yet. */
    private void assertStopWaitsOnTheGuard(ProcessHandle process) throws Exception {
        await("Vigil's shutdown starts").atMost(Karaf.BOUND).pollInterval(POLL).until(() -> reports().contains(WAITING));
        await("Karaf's stop keeps waiting on the guard").during(STILL_WAITING).atMost(STILL_WAITING.plus(Karaf.BOUND))
                .pollInterval(POLL).until(() -> process.isAlive() && !reports().contains("Finalization of main"));
    }
}
