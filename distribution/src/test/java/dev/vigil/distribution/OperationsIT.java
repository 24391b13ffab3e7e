package dev.vigil.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees (DESIGN.md §7, rules S1, S3; "ops7" in a test name: §7), the distribution as a real process: bad input
 * is refused before anything starts (exit 1, a message naming the option, the value and the
 * allowed ones); a waiting shutdown says at an interval what it waits on; the line that
 * announces a shutdown names its real cause; an aborted Ctrl-D shutdown exits 3.
 */
class OperationsIT {

    private static final int EXIT_LAUNCH_FAILED = 1;
    private static final int EXIT_ABORTED = 3;

    @Test
    void ops7_unknownPolicy_exit1_namingItAndThePolicies_nothingStarted() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.policy=no-such-policy"), "-c",
                "vigil:interpreters")) {
            String line = p.awaitLine("-Dvigil.policy=no-such-policy");
            assertThat(line).contains("unknown policy \"no-such-policy\"")
                    .contains("daemon-hang").contains("fail-fast").contains("timed-interrupt");
            assertThat(p.awaitExit()).isEqualTo(EXIT_LAUNCH_FAILED);
            assertThat(p.lines()).as("nothing started: no banner, no command ran")
                    .noneMatch(l -> l.startsWith("Vigil ")).noneMatch(l -> l.contains("main (main)"));
        }
    }

    @Test
    void ops7_P6_badDuration_exit1_namingOptionValueAndForms() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.policy=fail-fast",
                "-Dvigil.policy.fail-fast.grace=soon"), "-c", "vigil:interpreters")) {
            String line = p.awaitLine("-Dvigil.policy.fail-fast.grace=soon");
            assertThat(line).contains("not a duration").contains("500ms").contains("PT2S");
            assertThat(p.awaitExit()).isEqualTo(EXIT_LAUNCH_FAILED);
            assertThat(p.lines()).noneMatch(l -> l.startsWith("Vigil "));
        }
    }

    @Test
    void ops7_badRuntimeOptionAndUnknownArgument_exit1() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.progress=sometimes"))) {
            assertThat(p.awaitLine("-Dvigil.progress=sometimes")).contains("off").contains("5s");
            assertThat(p.awaitExit()).isEqualTo(EXIT_LAUNCH_FAILED);
        }
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--polcy", "fail-fast")) {
            assertThat(p.awaitLine("unknown argument \"--polcy\"")).contains("--help");
            assertThat(p.awaitExit()).isEqualTo(EXIT_LAUNCH_FAILED);
        }
    }

    @Test
    void helpAndVersion_exit0() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--version")) {
            assertThat(p.awaitLine("Vigil ")).contains("Apache Felix 7.").contains("Java ");
            assertThat(p.awaitExit()).isZero();
        }
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--help")) {
            p.awaitLine("usage: vigil");
            p.awaitLine("exit codes:");
            assertThat(p.awaitExit()).isZero();
        }
    }

    /**
     * §7: under daemon-hang a {@code -c} run whose guard stays open waits for ever; at the
     * default interval (5 s) it prints at least two progress lines within 12 s, saying what it
     * waits on, the policy and what an interrupt would do; no line names a signal not sent.
     */
    @Test
    void ops7_S1_progressLinesWhileWaiting_andTheRealCause() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "-c",
                "vigil:create worker; vigil:guard --stubborn worker")) {
            p.awaitLine("guard #1 on worker");
            p.awaitLine("[vigil] end of -c commands: shutting down under policy daemon-hang");
            long start = System.nanoTime();
            String first = p.awaitLine("still waiting after");
            String second = p.awaitLine("still waiting after");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).as("two lines at the default 5 s interval").isLessThan(
                    Duration.ofSeconds(12).toMillis() * Long.getLong("vigil.test.timeoutFactor", 1));
            for (String line : List.of(first, second)) {
                assertThat(line).contains("shutdown of worker (#1)").contains("1 open guard(s)")
                        .contains("oldest held by \"vigil-guard-1\"").contains("policy daemon-hang waits for ever")
                        .contains("an interrupt (Ctrl-C, vigil:interrupt) would print the report and keep waiting");
            }
            assertThat(p.lines()).as("no signal was sent").noneMatch(l -> l.contains("SIGTERM:") || l.contains("SIGINT:"));
            assertThat(p.isAlive()).isTrue();
        }
    }

    /** §7: under fail-fast the line says when the policy acts. */
    @Test
    void ops7_progressLineSaysWhenThePolicyActs() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.policy=fail-fast",
                "-Dvigil.policy.fail-fast.grace=1m", "-Dvigil.progress=300ms"), "-c",
                "vigil:create worker; vigil:guard --stubborn worker")) {
            String line = p.awaitLine("still waiting after");
            assertThat(line).contains("policy fail-fast aborts in").contains("an interrupt (Ctrl-C, vigil:interrupt) "
                    + "would abort the shutdown");
        }
    }

    /**
     * S3: Ctrl-D (end of the console's input) stops the framework; the registry's shutdown
     * under fail-fast aborts on a guard the Gogo runtime holds, and the process exits 3, the
     * report printed, as after an aborted signal-started shutdown.
     */
    @Test
    void S3_ctrlDWhoseShutdownAborts_exits3() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.policy=fail-fast"))) {
            p.awaitLine("Vigil ");
            p.type("guards = context:getService (context:getServiceReference dev.vigil.api.InterpreterGuards)");
            p.type("held = $guards fromView ($guards viewOfMain)");
            p.type("vigil:guards");
            p.awaitLine("org.apache.felix.gogo.runtime");
            p.closeInput();
            p.awaitLine("framework stopping (Ctrl-D or stop 0 at a console, or the container's stop): shutting the runtime down "
                    + "under policy fail-fast");
            assertThat(p.awaitLine("Finalization of main")).contains("ABORTED");
            assertThat(p.awaitExit()).isEqualTo(EXIT_ABORTED);
        }
    }
}
