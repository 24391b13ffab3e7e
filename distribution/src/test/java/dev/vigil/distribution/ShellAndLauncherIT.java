package dev.vigil.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The distribution's launcher modes and the {@code vigil:} shell commands, run in a real
 * process: start-up with every bundle active, the non-interactive mode (commands, then a
 * shutdown as on SIGTERM; a failing command's exit code), the interactive console on standard
 * input, and each command's output.
 */
class ShellAndLauncherIT {

    private static final Pattern BANNER = Pattern.compile(
            "Vigil \\S+: (\\d+) bundles active, framework start (\\d+) ms");

    @Test
    void startsWithEveryBundleActive_runsCommands_thenShutsDownAsOnSigterm() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "-c", "vigil:interpreters; lb")) {
            String banner = p.awaitLine("Vigil ");
            Matcher m = BANNER.matcher(banner);
            assertThat(m.find()).as(banner).isTrue();
            // the framework services (SCR, Config Admin, Log, Gogo), every Vigil bundle and the JavaScript engine
            assertThat(Integer.parseInt(m.group(1))).isEqualTo(18);
            System.out.println("distribution start: " + banner);
            assertThat(p.awaitLine("ID")).contains("NAME").contains("STATE").contains("GUARDS");
            assertThat(p.awaitLine("main (main)")).contains("RUNNING");
            p.awaitLine("end of -c commands: shutting down under policy daemon-hang");
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(p.awaitExit()).isZero();
            for (String bundle : List.of("Vigil API", "Vigil registry", "Vigil guards", "Vigil threadstate",
                    "Vigil policy: daemon-hang", "Vigil policy: fail-fast", "Vigil policy: timed-interrupt",
                    "Vigil Gogo shell commands", "Declarative Services", "Configuration Admin", "Gogo Shell",
                    "Apache Felix Log Service")) {
                assertThat(p.lines()).as("lb lists " + bundle + " as active")
                        .anyMatch(l -> l.contains(bundle) && l.contains("|Active"));
            }
        }
    }

    @Test
    void aFailingCommand_exits2() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "-c", "vigil:guard nosuch")) {
            assertThat(p.awaitLine("vigil: command failed")).contains("no live interpreter \"nosuch\"");
            assertThat(p.awaitExit()).isEqualTo(Launcher.EXIT_COMMAND_FAILED);
        }
    }

    @Test
    void badArguments_exit1() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--bogus")) {
            p.awaitLine("unknown argument \"--bogus\"");
            assertThat(p.awaitExit()).isEqualTo(Launcher.EXIT_LAUNCH_FAILED);
        }
    }

    @Test
    void interactiveConsole_readsCommands_andEndOfInputStopsTheFramework() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of())) {
            p.awaitLine("Vigil ");
            p.type("interpreters");
            assertThat(p.awaitLine("main (main)")).contains("RUNNING");
            p.type("vigil:policy fail-fast");
            p.awaitLine("policy: daemon-hang -> fail-fast");
            p.closeInput();
            p.awaitLine("framework stopping (Ctrl-D or stop 0 at a console, or the container's stop): shutting the runtime down under policy fail-fast");
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(p.awaitExit()).isZero();
        }
    }

    @Test
    void guardsCommands_takeListAndClose_withHolderOwnerAndSite() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.diagnostics=full"), "-c", String.join("\n",
                "vigil:create worker",
                "vigil:guard worker",
                "vigil:guard --stubborn main",
                "vigil:interpreters",
                "vigil:guards",
                "vigil:close 1",
                "vigil:guards",
                "vigil:close 2"))) {
            p.awaitLine("created worker (#1)");
            p.awaitLine("guard #1 on worker (#1) held by thread vigil-guard-1");
            assertThat(p.awaitLine("guard #2 on main (#0)")).contains("stubborn");
            assertThat(p.awaitLine("main (main)")).contains("RUNNING").endsWith("1");
            p.awaitLine(l -> l.matches("1\\s+worker\\s+RUNNING\\s+1"));
            assertThat(p.awaitLine("#  INTERPRETER")).contains("HOLDER").contains("AGE").contains("OWNER")
                    .contains("SITE");
            String first = p.awaitLine(l -> l.startsWith("1 "));
            assertThat(first).contains("worker (#1)").contains("vigil-guard-1").contains("dev.vigil.shell")
                    .contains("HeldGuards");
            assertThat(p.awaitLine(l -> l.startsWith("2 "))).contains("main (#0)").contains("vigil-guard-2");
            assertThat(p.awaitLine("guard #1 on worker (#1) closed after")).isNotEmpty();
            p.awaitLine("#  INTERPRETER");
            assertThat(p.awaitLine(l -> l.startsWith("2 "))).contains("main (#0)");
            p.awaitLine("guard #2 on main (#0) closed after");
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(p.awaitExit()).isZero();
        }
    }

    @Test
    void shutdownCommand_leavesAStuckShutdownInTheBackground_closingTheGuardCompletesIt() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "-c", String.join("\n",
                "vigil:create worker",
                "vigil:guard worker",
                "vigil:shutdown --wait 300ms worker",
                "vigil:interpreters",
                "vigil:close 1"))) {
            p.awaitLine("shutting down worker (#1) under policy daemon-hang");
            p.awaitLine("shutdown of worker (#1) goes on in the background");
            assertThat(p.awaitLine(l -> l.startsWith("1 "))).contains("SHUTTING_DOWN");
            p.awaitLine("guard #1 on worker (#1) closed");
            // The worker's report (printed by the background shutdown) and main's (the final
            // SIGTERM) may come in either order.
            assertThat(p.awaitExit()).isZero();
            assertThat(p.lines()).anyMatch(l -> l.startsWith("Finalization of worker (#1): COMPLETED"))
                    .anyMatch(l -> l.startsWith("Finalization of main (#0): COMPLETED"));
        }
    }

    @Test
    void P4_switchingToFailFastUnsticksAShutdownHungUnderDaemonHang() throws Exception {
        // (P3b under daemon-hang, an interrupt printing the report, is SignalsAndExitCodesIT's: here
        // an interrupt would race the swap, as the policy decides it when the shutdown wakes.)
        try (DistributionProcess p = DistributionProcess.start(List.of(), "-c", String.join("\n",
                "vigil:create worker",
                "vigil:guard --stubborn worker",
                "vigil:shutdown --wait 300ms worker",
                "vigil:policy fail-fast",
                "vigil:interpreters"))) {
            p.awaitLine("shutdown of worker (#1) goes on in the background");
            p.awaitLine("policy: daemon-hang -> fail-fast");
            // The end of -c shuts main down under fail-fast; the stubborn guard makes it abort.
            assertThat(p.awaitExit()).isEqualTo(3);
            List<String> lines = p.lines();
            int aborted = indexOf(lines, "Finalization of worker (#1): ABORTED");
            assertThat(aborted).as("fail-fast decides at once: its grace is long past").isNotNegative();
            assertThat(lines.get(aborted + 1)).contains("policy: daemon-hang -> fail-fast");
            assertThat(lines).anyMatch(l -> l.startsWith("Finalization of main (#0): ABORTED"));
        }
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void policyCommand_showsActiveAndAvailable_andSwitches() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.policy.fail-fast.grace=2s"), "-c",
                "vigil:policy; vigil:policy fail-fast; vigil:policy")) {
            assertThat(p.awaitLine(l -> l.contains("daemon-hang") && l.startsWith("*"))).isNotEmpty();
            assertThat(p.awaitLine(l -> l.contains("fail-fast"))).contains("grace=2s");
            p.awaitLine("timed-interrupt");
            p.awaitLine("active: daemon-hang");
            p.awaitLine("policy: daemon-hang -> fail-fast");
            assertThat(p.awaitLine(l -> l.contains("fail-fast") && l.startsWith("*"))).contains("grace=2s");
            p.awaitLine("active: fail-fast");
            p.awaitLine("end of -c commands: shutting down under policy fail-fast");
            assertThat(p.awaitExit()).isZero();
        }
    }

    @Test
    void demo_noCallRunsAgainstADeadInterpreter() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "-c", "vigil:demo -t 4 -n 3 -d 600ms")) {
            p.awaitLine("demo: 4 threads call into 3 interpreters");
            String totals = p.awaitLine("calls made:");
            assertThat(totals).endsWith("calls against dead interpreters: 0");
            Matcher m = Pattern.compile("calls made: (\\d+); refused cleanly as finalizing: (\\d+)").matcher(totals);
            assertThat(m.find()).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("calls made").isPositive();
            assertThat(Long.parseLong(m.group(2))).as("calls refused after the point of no return").isPositive();
            p.awaitLine("contract held");
            assertThat(p.awaitExit()).isZero();
        }
    }
}
