package dev.vigil.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interactive console on JLine, in a real process on a pseudo-terminal (util-linux
 * {@code script}; each test is skipped, saying why, where there is none): the launcher picks
 * JLine on a terminal, a typed {@code vigil:} command runs, Tab completes a command prefix, Up
 * recalls history kept in the {@code vigil.history} file; Ctrl-C typed at the prompt (the byte
 * 0x03, made SIGINT by the terminal's line discipline) is S1's — the first starts the shutdown
 * under the policy, a further one during the wait is an interrupt (P3b), the exit code is S3's —
 * and Ctrl-D stops the framework as with the plain console. On every exit path the terminal's
 * modes are restored (the shell that ran Java prints them with {@code stty -a} afterwards). The
 * plain console's tests (ShellAndLauncherIT, SignalsAndExitCodesIT) run unchanged on pipes.
 */
class JLineConsoleIT {

    private static final String PROMPT = "vigil> ";
    private static final String CTRL_C = "\u0003";
    private static final String CTRL_D = "\u0004";
    /** The Up key as a terminal in application-cursor mode sends it (JLine turns that mode on: terminfo kcuu1). */
    private static final String UP = "\u001bOA";

    @TempDir
    Path home;

    /** The terminal's modes ({@code stty -g}) before Java started. */
    private String modesBefore;

    /** The distribution on a pseudo-terminal, its modes before noted; skipped where there is no pty tool. */
    private DistributionProcess onTerminal(List<String> jvmOptions, String... args) throws Exception {
        assumeTrue(DistributionProcess.ptyTool() != null,
                "no pseudo-terminal tool: util-linux 'script' is not on the PATH, so the JLine console cannot be tested");
        List<String> jvm = new java.util.ArrayList<>(jvmOptions);
        jvm.add("-Dvigil.history=" + home.resolve("history"));
        DistributionProcess p = DistributionProcess.startUnderPty(jvm, args);
        String before = p.awaitLine("VIGIL-STTY-BEFORE=");
        modesBefore = before.substring(before.indexOf('=') + 1).trim();
        return p;
    }

    /** The distribution on a pseudo-terminal with the JLine console up (its first prompt printed). */
    private DistributionProcess startOnTerminal(String... jvmOptions) throws Exception {
        DistributionProcess p = onTerminal(List.of(jvmOptions));
        String console = p.awaitLine("console: JLine");
        assertThat(console).as("a real system terminal, not JLine's dumb fallback")
                .contains("PosixSysTerminal").doesNotContain("provider none");
        System.out.println("JLine console on Java " + System.getProperty("java.version") + ": " + console.trim());
        p.awaitOutput(PROMPT);
        return p;
    }

    /** Types {@code command} and Enter at the prompt; waits for a line containing {@code printed}, then the prompt. */
    private static String run(DistributionProcess p, String command, String printed) throws Exception {
        p.typeRaw(command + "\r");
        String line = p.awaitLine(printed);
        p.awaitOutput(printed); // so that the prompt looked for next is the one after the output
        p.awaitOutput(PROMPT);
        return line;
    }

    /** Subinterpreter "worker" with guard #1 on it, stubborn: a shutdown waits on it until the policy acts. */
    private static void workerWithStubbornGuard(DistributionProcess p) throws Exception {
        run(p, "vigil:create worker", "created worker (#1)");
        assertThat(run(p, "vigil:guard --stubborn worker", "guard #1 on worker (#1)")).contains("stubborn");
    }

    /** The exit code the shell printed, and the terminal's modes after Java exited: all as before it ran. */
    private int exitAndTerminalRestored(DistributionProcess p) throws Exception {
        String exit = p.awaitLine("VIGIL-EXIT="); // after the reader's own escape sequences, if it was reading
        String modesAfter = p.awaitLine(l -> l.contains("VIGIL-STTY-AFTER="));
        assertThat(modesAfter.substring(modesAfter.indexOf('=') + 1).trim()).as("stty -g after Java exited")
                .isEqualTo(modesBefore);
        String localModes = p.awaitLine(l -> l.contains("icanon") && l.contains("isig"));
        assertThat(List.of(localModes.trim().split("\\s+"))).as("canonical mode, echo and signals restored")
                .contains("icanon", "echo", "isig", "iexten").doesNotContain("-icanon", "-echo", "-isig");
        return Integer.parseInt(exit.substring(exit.indexOf("VIGIL-EXIT=") + "VIGIL-EXIT=".length()).trim());
    }

    @Test
    void onATerminal_commandsRun_tabCompletes_historyRecalls_ctrlDStopsTheFramework_exit0() throws Exception {
        try (DistributionProcess p = startOnTerminal()) {
            // Tab completes the prefix: "vigil:interp" alone is no command.
            assertThat(run(p, "vigil:interp\t", "main (main)")).contains("RUNNING");
            run(p, "vigil:create worker", "created worker (#1)");
            // Up twice: the completed vigil:interpreters, run again.
            assertThat(run(p, UP + UP, "worker ")).matches(".*1\\s+worker\\s+RUNNING\\s+0.*");
            p.typeRaw(CTRL_D);
            p.awaitLine("framework stopping (Ctrl-D or stop 0 at a console, or the container's stop): "
                    + "shutting the runtime down under policy daemon-hang");
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(exitAndTerminalRestored(p)).as("exit code after a completed shutdown (S3)").isZero();
        }
        assertThat(Files.readAllLines(home.resolve("history"))).as("history file")
                .anyMatch(l -> l.endsWith("vigil:interpreters")).anyMatch(l -> l.endsWith("vigil:create worker"));
    }

    @Test
    void S1_ctrlCAtThePrompt_shutsDownGracefully_exit0() throws Exception {
        try (DistributionProcess p = startOnTerminal()) {
            run(p, "vigil:create worker", "created worker (#1)");
            p.typeRaw(CTRL_C);
            p.awaitLine("SIGINT: shutting down under policy daemon-hang");
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(exitAndTerminalRestored(p)).isEqualTo(0);
        }
    }

    @Test
    void S1_P3b_failFast_ctrlCStartsTheShutdown_furtherCtrlCAbortsIt_exit3() throws Exception {
        try (DistributionProcess p = startOnTerminal("-Dvigil.policy=fail-fast",
                "-Dvigil.policy.fail-fast.grace=10m")) {
            workerWithStubbornGuard(p);
            p.typeRaw(CTRL_C);
            p.awaitLine("SIGINT: shutting down under policy fail-fast (SIGINT again to interrupt the wait)");
            String main = p.interruptWaitingShutdown(l -> l.contains("Finalization of "), () -> p.typeRaw(CTRL_C));
            assertThat(main).contains("Finalization of main").contains("ABORTED");
            assertThat(p.awaitLine("Finalization of worker")).contains("interrupted while waiting");
            assertThat(exitAndTerminalRestored(p)).as("exit code after an abort (S3)").isEqualTo(3);
        }
    }

    @Test
    void P3b_daemonHang_ctrlDWaitsOnAStubbornGuard_ctrlCOnTheTerminalPrintsTheReport() throws Exception {
        try (DistributionProcess p = startOnTerminal()) {
            workerWithStubbornGuard(p);
            p.typeRaw(CTRL_D);
            p.awaitLine("framework stopping (Ctrl-D or stop 0 at a console");
            // The console is gone; Ctrl-C on the terminal still reaches S1: an interrupt (P3b).
            // (the terminal echoes ^C before each answer)
            String report = p.interruptWaitingShutdown(l -> l.contains("Finalization of "), () -> p.typeRaw(CTRL_C));
            assertThat(report).contains("IN_PROGRESS");
            assertThat(p.isAlive()).as("daemon-hang keeps waiting").isTrue();
        }
    }

    @Test
    void S1_ctrlCDuringACommand_isS1s_notAnInterruptOfTheCommand_whoseOutputShowsAsItComes() throws Exception {
        try (DistributionProcess p = startOnTerminal()) {
            workerWithStubbornGuard(p);
            p.typeRaw("vigil:shutdown --wait 10m worker\r");
            p.awaitLine("shutting down worker (#1) under policy daemon-hang");
            p.awaitLine("worker is SHUTTING_DOWN, 1 open guard(s)"); // a progress line while the command runs
            p.typeRaw(CTRL_C);
            p.awaitLine("SIGINT: shutting down under policy daemon-hang (SIGINT again to interrupt the wait)");
        } // daemon-hang waits on the stubborn guard: killed
    }

    @Test
    void plainConsoleOnATerminal_whenAsked_asBefore() throws Exception {
        try (DistributionProcess p = onTerminal(List.of(), "--console=plain")) {
            assertThat(p.awaitLine("bundles active")).as("the plain bundle set").contains(" 18 bundles active");
            p.awaitOutput(PROMPT);
            p.typeRaw("vigil:interpreters\r");
            assertThat(p.awaitLine("main (main)")).contains("RUNNING");
            p.awaitOutput(PROMPT);
            p.typeRaw(CTRL_D);
            assertThat(p.awaitLine("Finalization of main")).contains("COMPLETED");
            assertThat(exitAndTerminalRestored(p)).isZero();
            assertThat(p.lines()).noneMatch(l -> l.contains("console: JLine"));
        }
    }

    @Test
    void badConsoleValue_exit1_namingTheOptionAndTheChoices() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--console=fancy")) {
            assertThat(p.awaitLine("--console=fancy")).contains("unknown console \"fancy\"")
                    .contains("auto, jline, plain");
            assertThat(p.awaitExit()).isEqualTo(Launcher.EXIT_LAUNCH_FAILED);
        }
        try (DistributionProcess p = DistributionProcess.start(List.of(), "--console=jline", "-c", "vigil:interpreters")) {
            p.awaitLine("--console chooses the interactive shell's console");
            assertThat(p.awaitExit()).isEqualTo(Launcher.EXIT_LAUNCH_FAILED);
        }
    }
}
