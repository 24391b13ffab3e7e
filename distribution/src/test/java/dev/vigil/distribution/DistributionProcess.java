package dev.vigil.distribution;

import java.io.BufferedReader;
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
 * and error read line by line by a thread of its own into a queue, real signals sent with
 * {@code kill}, and a transcript for failure messages. {@link #close()} always kills and reaps
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
    private final Thread reader;

    private DistributionProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "distribution-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java <jvmOptions> -jar vigil.jar <args>}. */
    static DistributionProcess start(List<String> jvmOptions, String... args) throws IOException {
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
        return new DistributionProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (transcript) {
                    transcript.add(line);
                }
                lines.add(line);
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

    /**
     * Sends SIGINT until a waiting shutdown receives one: the runtime answers each SIGINT that
     * finds no waiting shutdown with a notice, so each round waits for an answer, not for time.
     *
     * @return the answer line that is not "no shutdown is waiting yet"
     */
    String interruptWaitingShutdown(Predicate<String> answer) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            signal("INT");
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
