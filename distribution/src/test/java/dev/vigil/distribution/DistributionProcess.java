package dev.vigil.distribution;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The distribution jar running as a real child process, for tests: its merged standard output
 * and error read line by line (a line ends at {@code \n}, {@code \r} or {@code \r\n}) by a thread
 * of its own into a queue, real signals sent with {@code kill}, and a transcript for failure
 * messages. {@link #startUnderPty} runs it on a pseudo-terminal (util-linux {@code script}), where
 * {@link #awaitOutput} also sees text not yet ended by a new line (a prompt). {@link #close()} always kills and reaps
 * the process; use it in try-with-resources.
 *
 * <p>Waiting is on lines the process prints ({@link #awaitLine}), never on elapsed time; every
 * wait is bounded by {@link #TIMEOUT} times the build's {@code vigil.test.timeoutFactor}.
 */
final class DistributionProcess implements AutoCloseable {

    /** The bound of every wait for the process (start-up on a loaded CI machine included). */
    static final Duration TIMEOUT = Duration.ofSeconds(60).multipliedBy(
            Long.getLong("vigil.test.timeoutFactor", 1));

    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = new ArrayList<>();
    /** Everything printed not yet consumed by {@link #awaitOutput}. Guarded by itself. */
    private final StringBuilder unread = new StringBuilder();
    private final Thread reader;

    private DistributionProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "distribution-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java <jvmOptions> -jar vigil.jar <args>}. */
    static DistributionProcess start(List<String> jvmOptions, String... args) throws IOException {
        return new DistributionProcess(new ProcessBuilder(javaCommand(jvmOptions, args)).redirectErrorStream(true)
                .start());
    }

    private static List<String> javaCommand(List<String> jvmOptions, String... args) {
        String jar = System.getProperty("vigil.distribution.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property vigil.distribution.jar must name the built jar, is " + jar);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar);
        command.addAll(List.of(args));
        return command;
    }

    /** The pseudo-terminal tool, util-linux {@code script}, if on the PATH; null if not. */
    static Path ptyTool() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path script = Path.of(dir.isEmpty() ? "." : dir, "script");
            if (Files.isExecutable(script)) {
                return script;
            }
        }
        return null;
    }

    /**
     * Starts {@code java <jvmOptions> -jar vigil.jar <args>} on a pseudo-terminal of 120 x 40
     * made by {@code script -qfec}: its standard input, output and error are the terminal, the
     * bytes {@link #typeRaw typed} go to the terminal's master side (so 0x03 becomes SIGINT by
     * the line discipline, as at a keyboard). The shell that runs Java prints the terminal's
     * modes before ({@code VIGIL-STTY-BEFORE=}, {@code stty -g}) and, once Java exited,
     * {@code VIGIL-EXIT=<code>}, the modes after ({@code VIGIL-STTY-AFTER=}) and {@code stty -a}.
     */
    static DistributionProcess startUnderPty(List<String> jvmOptions, String... args) throws IOException {
        Path script = ptyTool();
        if (script == null) {
            throw new IllegalStateException("no pseudo-terminal tool (util-linux script) on the PATH");
        }
        // The shell is in the terminal's foreground process group, so a typed Ctrl-C signals it
        // too: a non-interactive dash (script's shell where SHELL is unset) then exits at once,
        // before printing Java's exit code. A trap with a command keeps it (bash waits anyway);
        // exec resets a trapped signal to its default, so Java still starts with SIGINT unignored.
        StringBuilder shell = new StringBuilder(
                "trap : INT; stty cols 120 rows 40; echo VIGIL-STTY-BEFORE=$(stty -g); ");
        for (String word : javaCommand(jvmOptions, args)) {
            shell.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        shell.append("; echo VIGIL-EXIT=$?; echo VIGIL-STTY-AFTER=$(stty -g); stty -a");
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "-qfec", shell.toString(), "/dev/null")
                .redirectErrorStream(true);
        // The same shell and terminal type whatever the caller's environment (CI may have neither):
        // the keys typed are xterm's (JLine falls back to "ansi" without TERM, whose Up differs).
        builder.environment().put("SHELL", "/bin/sh");
        builder.environment().put("TERM", "xterm");
        return new DistributionProcess(builder.start());
    }

    private void read() {
        try (InputStreamReader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            char[] buffer = new char[4096];
            boolean afterCr = false;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (unread) {
                    unread.append(buffer, 0, n);
                    unread.notifyAll();
                }
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n' && afterCr) {
                        afterCr = false; // the \n of \r\n: the line was ended by the \r
                    } else if (c == '\n' || c == '\r') {
                        afterCr = c == '\r';
                        addLine(line.toString());
                        line.setLength(0);
                    } else {
                        afterCr = false;
                        line.append(c);
                    }
                }
            }
            if (line.length() > 0) {
                addLine(line.toString());
            }
        } catch (IOException e) {
            synchronized (transcript) {
                transcript.add("(output read failed: " + e + ")");
            }
        } finally {
            lines.add(EOF);
        }
    }

    /**
     * Waits for the next line matching {@code wanted}, skipping others.
     *
     * @throws AssertionError with the transcript if the output ends or {@link #TIMEOUT} passes first
     */
    String awaitLine(String what, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (;;) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line " + what + " within " + TIMEOUT + "\n" + transcript());
            }
            if (line.equals(EOF)) {
                lines.add(EOF); // later waits see the end too
                throw new AssertionError("output ended without a line " + what + "\n" + transcript());
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    private void addLine(String line) {
        synchronized (transcript) {
            transcript.add(line);
        }
        lines.add(line);
    }

    /**
     * Waits until the output not yet consumed by this method contains {@code text}, even
     * without a line end (a prompt), and consumes it up to the end of {@code text}. Independent
     * of the line-by-line waits.
     *
     * @throws AssertionError with the transcript if {@link #TIMEOUT} passes first
     */
    void awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        synchronized (unread) {
            for (;;) {
                int at = unread.indexOf(text);
                if (at >= 0) {
                    unread.delete(0, at + text.length());
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                    throw new AssertionError("no output \"" + text + "\" within " + TIMEOUT + "\n" + transcript()
                            + "\n---- not ended by a new line: " + unread);
                }
                TimeUnit.NANOSECONDS.timedWait(unread, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /** Waits for the next line matching {@code wanted}. */
    String awaitLine(Predicate<String> wanted) throws InterruptedException {
        return awaitLine("matching the test's condition", wanted);
    }

    /** Waits for the next line containing {@code text}. */
    String awaitLine(String text) throws InterruptedException {
        return awaitLine("containing \"" + text + "\"", l -> l.contains(text));
    }

    /** Sends a signal ({@code "INT"}, {@code "TERM"}) with {@code kill}. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed\n" + transcript());
        }
    }

    /** Something that makes a SIGINT reach the process: {@code kill}, or Ctrl-C typed on its terminal. */
    interface Interrupter {
        void interrupt() throws IOException, InterruptedException;
    }

    /**
     * Sends SIGINT until a waiting shutdown receives one: the runtime answers each SIGINT that
     * finds no waiting shutdown with a notice, so each round waits for an answer, not for time.
     *
     * @return the answer line that is not "no shutdown is waiting yet"
     */
    String interruptWaitingShutdown(Predicate<String> answer) throws IOException, InterruptedException {
        return interruptWaitingShutdown(answer, () -> signal("INT"));
    }

    /** As {@link #interruptWaitingShutdown(Predicate)}, each SIGINT made by {@code sigint}. */
    String interruptWaitingShutdown(Predicate<String> answer, Interrupter sigint) throws IOException,
            InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            sigint.interrupt();
            String line = awaitLine("answering SIGINT", l -> l.contains("SIGINT: no shutdown is waiting yet")
                    || answer.test(l));
            if (!line.contains("no shutdown is waiting yet")) {
                return line;
            }
        }
        throw new AssertionError("no shutdown became ready to receive SIGINT\n" + transcript());
    }

    /** Types a line on the process's standard input (the interactive console reads it). */
    void type(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Types {@code keys} as they are (no new line added): on a terminal, raw key bytes. */
    void typeRaw(String keys) throws IOException {
        process.getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Closes the process's standard input: end of input, Ctrl-D for the console. */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("process still running after " + TIMEOUT + "\n" + transcript());
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The lines the process printed so far. */
    List<String> lines() {
        synchronized (transcript) {
            return List.copyOf(transcript);
        }
    }

    /** Everything the process printed so far. */
    String transcript() {
        synchronized (transcript) {
            return "---- process output ----\n" + String.join("\n", transcript) + "\n---- end ----";
        }
    }

    /** Kills the process (SIGKILL) if it still runs and reaps it. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("process " + process.pid() + " survived SIGKILL");
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
    }
}
