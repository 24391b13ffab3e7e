package dev.vigil.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The distribution as a real process receiving real signals (DESIGN.md S1, S3) and carrying
 * out the P3 table per policy. Each test opens a guard from the shell that is still open
 * when the signal comes, sends SIGTERM or SIGINT with {@code kill}, sends further SIGINTs
 * when the output shows the moment has come, and checks the printed report and the exit
 * code. Every process is killed and reaped by try-with-resources.
 */
class SignalsAndExitCodesIT {

    private static final int EXIT_COMPLETED = 0;
    private static final int EXIT_ABORTED = 3;

    /** Starts the distribution under {@code policy} with a subinterpreter "worker" and guard #1 on it. */
    private static DistributionProcess startWithGuard(String policy, boolean stubborn, String... options)
            throws Exception {
        List<String> jvm = new ArrayList<>(List.of("-Dvigil.policy=" + policy));
        for (String o : options) {
            jvm.add("-Dvigil.policy." + policy + "." + o);
        }
        DistributionProcess p = DistributionProcess.start(jvm, "--stay", "-c",
                "vigil:create worker; vigil:guard " + (stubborn ? "--stubborn " : "") + "worker");
        p.awaitLine("policy " + policy);
        p.awaitLine("guard #1 on worker");
        return p;
    }

    @Test
    void S1_P3a_daemonHang_sigtermWaitsForEver_P3b_sigintPrintsReportAndKeepsWaiting() throws Exception {
        try (DistributionProcess p = startWithGuard("daemon-hang", true)) {
            p.signal("TERM");
            p.awaitLine("SIGTERM: shutting down under policy daemon-hang");

            String report = p.interruptWaitingShutdown(l -> l.startsWith("Finalization of "));
            assertThat(report).startsWith("Finalization of worker").contains("IN_PROGRESS");
            p.awaitLine("open guards (1):");
            String guard = p.awaitLine("guard on worker");
            assertThat(guard).contains("held by thread \"vigil-guard-1\"").contains("owner dev.vigil.shell");

            // Still waiting: the next SIGINT is received by the same shutdown and reported again.
            String again = p.interruptWaitingShutdown(l -> l.startsWith("Finalization of "));
            assertThat(again).startsWith("Finalization of worker").contains("IN_PROGRESS");
            p.awaitLine("interrupts delivered: 2");
            assertThat(p.isAlive()).as("daemon-hang waits for ever").isTrue();
        } // SIGKILL: the only way out of daemon-hang with a guard that never closes
    }

    @Test
    void S3_P3a_failFast_sigtermAbortsAfterGrace_exit3() throws Exception {
        try (DistributionProcess p = startWithGuard("fail-fast", true, "grace=300ms")) {
            p.signal("TERM");
            p.awaitLine("SIGTERM: shutting down under policy fail-fast");
            String main = p.awaitLine("Finalization of main");
            assertThat(main).contains("ABORTED").contains("subinterpreter worker aborted");
            String worker = p.awaitLine("Finalization of worker");
            assertThat(worker).contains("ABORTED").contains("(grace 300ms)");
            assertThat(waitedMillis(worker)).isGreaterThanOrEqualTo(300);
            p.awaitLine("held by thread \"vigil-guard-1\"");
            assertThat(p.awaitExit()).as("exit code after an abort (S3)").isEqualTo(EXIT_ABORTED);
        }
    }

    @Test
    void S1_P3b_failFast_furtherSigintAbortsAtOnce_exit3() throws Exception {
        try (DistributionProcess p = startWithGuard("fail-fast", true, "grace=10m")) {
            p.signal("TERM");
            p.awaitLine("SIGTERM: shutting down under policy fail-fast");
            String main = p.interruptWaitingShutdown(l -> l.startsWith("Finalization of "));
            assertThat(main).startsWith("Finalization of main").contains("ABORTED");
            assertThat(p.awaitLine("Finalization of worker")).contains("interrupted while waiting");
            assertThat(p.awaitExit()).isEqualTo(EXIT_ABORTED);
        }
    }

    @Test
    void S1_P3b_timedInterrupt_sigintIgnoredDuringDelay_laterInterruptsHoldersAndAbortsAfterGrace() throws Exception {
        Duration interruptDelay = Duration.ofSeconds(2);
        try (DistributionProcess p = startWithGuard("timed-interrupt", true,
                "timeout=10m", "interruptGrace=300ms", "interruptDelay=" + interruptDelay.toMillis() + "ms")) {
            p.signal("TERM");
            p.awaitLine("SIGTERM: shutting down under policy timed-interrupt");

            String notice = p.interruptWaitingShutdown(l -> l.contains("worker: interrupt"));
            long noticedAt = System.nanoTime();
            assertThat(notice).as("first SIGINT inside interruptDelay").contains("interrupt ignored");
            assertThat(p.isAlive()).isTrue();

            // The rule is about the wait's clock: let interruptDelay pass. The wait began before
            // the notice was printed, so this is at least interruptDelay into the wait.
            TimeUnit.NANOSECONDS.sleep(interruptDelay.toNanos() - (System.nanoTime() - noticedAt));
            p.signal("INT");
            assertThat(p.awaitLine("worker: interrupt after")).contains("interrupting the holders now");
            p.awaitLine("guard #1 on worker (#1): holder thread interrupted; stubborn, still holding");
            String main = p.awaitLine("Finalization of main");
            assertThat(main).contains("ABORTED");
            assertThat(p.awaitLine("Finalization of worker")).contains("ABORTED").contains("interruptGrace");
            assertThat(p.awaitExit()).isEqualTo(EXIT_ABORTED);
        }
    }

    @Test
    void S3_P3a_timedInterrupt_timeoutInterruptsACooperativeHolder_shutdownCompletes_exit0() throws Exception {
        try (DistributionProcess p = startWithGuard("timed-interrupt", false,
                "timeout=300ms", "interruptGrace=10m", "interruptDelay=1s")) {
            p.signal("TERM");
            p.awaitLine("guard #1 on worker (#1): holder thread interrupted; closing the guard");
            String main = p.awaitLine("Finalization of main");
            assertThat(main).contains("COMPLETED");
            assertThat(p.awaitExit()).as("exit code after a completed shutdown (S3)").isEqualTo(EXIT_COMPLETED);
        }
    }

    @Test
    void S1_firstSigint_shutsDownGracefully_exit0() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--stay", "-c", "vigil:create worker")) {
            p.awaitLine("created worker");
            p.signal("INT");
            p.awaitLine("SIGINT: shutting down under policy daemon-hang");
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(p.awaitExit()).isEqualTo(EXIT_COMPLETED);
        }
    }

    /** The "after N ms" of a fail-fast abort reason. */
    private static long waitedMillis(String reportLine) {
        Matcher m = Pattern.compile("after (\\d+) ms \\(grace").matcher(reportLine);
        assertThat(m.find()).as("abort reason with the time waited: " + reportLine).isTrue();
        return Long.parseLong(m.group(1));
    }
}
