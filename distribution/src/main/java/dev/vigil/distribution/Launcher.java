package dev.vigil.distribution;

import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * The Vigil distribution's {@code main}: starts an OSGi framework (Felix, found through the
 * standard {@link FrameworkFactory} launch API) with the bundles embedded in this jar under
 * {@code bundles/}, then either hands the terminal to the Gogo shell (interactive) or runs
 * Gogo commands given with {@code -c} or {@code -f} (non-interactive). Run with {@code --help}
 * for the options; README.md documents them with the signals and exit codes.
 *
 * <p>Why a launcher of our own rather than bnd's exported launcher or Felix's {@code Main}:
 * the process's end belongs to the runtime (rules S1 and S3: the registry's signal handlers
 * shut down under the policy, print the report and exit 0 or 3), so the launcher must neither
 * stop the framework from a shutdown hook (Felix's {@code Main} does, {@code felix.shutdown.hook})
 * nor map the framework's stop to exit codes of its own (bnd's launcher does) — either would
 * run a second, policy-driven shutdown or hide the abort code. And the non-interactive mode
 * needs each command's result and failure, which only a caller of Gogo's
 * {@code CommandSession} sees. Everything else is the OSGi launch API and Felix as they come:
 * this class, a statement splitter and the console's log sink and terminal; no framework code of ours.
 *
 * <p><b>Start order</b> (start levels): 1 the OSGi libraries, SCR, Configuration Admin, Gogo's
 * runtime and the Vigil API; 2 the policy bundles, so that they are bound when the registry
 * starts and still there when it stops; 3 the registry, guards, thread-state and shell
 * bundles and Gogo's commands; 4 Gogo's console, once the {@code vigil:} commands exist.
 *
 * <p><b>Console</b>: interactive, on a terminal ({@code --console=auto}, the default) or when
 * asked ({@code --console=jline}), Gogo on JLine — the JLine bundle at level 1 and gogo.jline at
 * 4 instead of gogo.shell — with the terminal opened by {@link JLineConsole} so that SIGINT stays
 * with the registry's S1 handler; otherwise (pipes, {@code -c}, {@code -f}, {@code --console=plain})
 * the plain gogo.shell console, the bundle set unchanged.
 *
 * <p><b>Bad input</b> (DESIGN.md §7): arguments and {@code vigil.history} are checked before the
 * framework starts, and the other {@code vigil.*} system properties (policy name, policy options
 * through the policies' own {@code withOptions}, diagnostics, signals, progress, jmx) once the
 * API and policy bundles
 * run but before the registry starts: a bad one stops the framework and exits 1, naming the
 * property, the value and what is allowed; nothing of Vigil started.
 *
 * <p><b>Seams with the registry</b>, as services of {@code java.*} types that both sides
 * share: the registry offers a {@code Consumer<String>} ({@code vigil.process=shutdown}) that
 * starts the process's shutdown as a SIGTERM does but announced with its real cause (the end
 * of {@code -c}/{@code -f}); the launcher offers an {@code IntConsumer}
 * ({@code vigil.process=exit}) through which the registry ends the process (S3) — after the
 * console is flushed — or, when the framework stops (Ctrl-D, {@code stop 0}), hands over the
 * exit code ({@code 3} after an abort). The console is {@link ConsoleLog}.
 *
 * <p><b>Embedded defaults</b>: the framework property {@code vigil.signals=true} (S1), unless
 * the system property {@code vigil.signals} is given; system properties
 * {@code vigil.policy.<policy>.<option>} become the option of that policy's Configuration
 * Admin PID {@code dev.vigil.policy.<policy>} before the policy bundles start.
 */
public final class Launcher {

    /** Exit code: a non-interactive command failed. */
    static final int EXIT_COMMAND_FAILED = 2;
    /** Exit code: bad arguments or the framework could not be started. */
    static final int EXIT_LAUNCH_FAILED = 1;

    private static final String BUNDLES = "bundles/";
    private static final int LEVEL_LIBRARIES = 1;
    private static final int LEVEL_POLICIES = 2;
    private static final int LEVEL_VIGIL = 3;
    private static final int LEVEL_CONSOLE = 4;
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final String POLICY_OPTION_PREFIX = "vigil.policy.";
    private static final String GOGO_SHELL = "org.apache.felix.gogo.shell";
    private static final String GOGO_JLINE = "org.apache.felix.gogo.jline";
    /** System property and framework property: the JLine console's history file, or {@code off}. */
    private static final String HISTORY = "vigil.history";
    private static final String POLICY_TYPE = "dev.vigil.spi.FinalizationPolicy";

    private static final String ARGUMENTS = "-c COMMANDS, -f SCRIPT, --stay, --storage DIR, --console=auto|jline|plain, "
            + "--help, --version";
    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: vigil [--storage DIR] [--console=auto|jline|plain] | [--storage DIR] [--stay] [-c COMMANDS]... "
                    + "[-f SCRIPT] | --help | --version",
            "  (no -c/-f)     interactive Gogo shell on the terminal",
            "  --console=C    the interactive shell's console: jline (line editing, history, Tab completion),",
            "                 plain (lines read from standard input), auto (default: jline when standard input",
            "                 and output are a terminal, else plain)",
            "  -c COMMANDS    run Gogo commands (separated by ';' or new lines), then shut down as on SIGTERM",
            "  -f SCRIPT      run a Gogo script file, then shut down as on SIGTERM",
            "  --stay         after -c/-f keep running until SIGINT/SIGTERM",
            "  --storage DIR  framework storage in DIR, reused as is (default: a fresh folder, deleted at exit)",
            "  --help         this text;  --version  the versions of Vigil, the framework and Java",
            "system properties (java -D...): vigil.policy=NAME, vigil.diagnostics=off|simple|full,",
            "  vigil.signals=true|false, vigil.progress=DURATION|off (default 5s), vigil.jmx=true|false,",
            "  vigil.policy.<policy>.<option>=VALUE (e.g. vigil.policy.fail-fast.grace=2s),",
            "  vigil.history=FILE|off (the JLine console's history, default ~/.vigil_history)",
            "exit codes: 0 shutdown completed, 3 shutdown aborted by the policy (also after Ctrl-D / stop 0),",
            "  2 a -c/-f command failed, 1 bad arguments, bad option values or start failure (nothing started)");

    private Launcher() {
    }

    /** The interactive console: {@code --console=auto|jline|plain}. */
    enum Console {
        /** JLine when standard input and output are a terminal, else plain. */
        AUTO,
        /** Gogo on JLine: line editing, history, completion. */
        JLINE,
        /** Gogo's plain console: lines read from standard input. */
        PLAIN;

        static Console parse(String value) {
            for (Console c : values()) {
                if (c.name().equalsIgnoreCase(value)) {
                    return c;
                }
            }
            throw new UsageException("--console=" + value + ": unknown console \"" + value
                    + "\"; the consoles are auto, jline, plain");
        }
    }

    /** Parsed command line. */
    private record Options(List<String> commands, Path script, boolean stay, Path storage, Console console) {

        boolean interactive() {
            return commands.isEmpty() && script == null;
        }

        /** Whether the interactive console runs on JLine: asked for, or (auto) on a terminal. */
        boolean jline() {
            return interactive() && (console == Console.JLINE || console == Console.AUTO && stdioIsTerminal());
        }

        static Options parse(String[] args) {
            List<String> commands = new ArrayList<>();
            Path script = null;
            boolean stay = false;
            Path storage = null;
            Console console = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("--console=")) {
                    console = Console.parse(a.substring("--console=".length()));
                    continue;
                }
                switch (a) {
                    case "-c", "--command" -> commands.add(value(args, ++i, a));
                    case "-f", "--file" -> script = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--stay" -> stay = true;
                    case "--storage" -> storage = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--console" -> console = Console.parse(value(args, ++i, a));
                    case "-h", "--help" -> throw new UsageException(null);
                    case "--version" -> throw new VersionRequest();
                    default -> throw new UsageException("unknown argument \"" + a + "\"; the arguments are "
                            + ARGUMENTS);
                }
            }
            if (script != null && !Files.isRegularFile(script)) {
                throw new UsageException("-f " + script + ": no such file");
            }
            if (script != null && !commands.isEmpty()) {
                throw new UsageException("give -c or -f, not both");
            }
            if (stay && commands.isEmpty() && script == null) {
                throw new UsageException("--stay needs -c or -f");
            }
            if (console != null && (script != null || !commands.isEmpty())) {
                throw new UsageException("--console chooses the interactive shell's console; -c and -f run without one");
            }
            return new Options(commands, script, stay, storage, console == null ? Console.AUTO : console);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --version}. */
    private static final class VersionRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        VersionRequest() {
            super(null, null, false, false);
        }
    }

    /** A system property with a bad value, found before Vigil started: exit 1, nothing started. */
    private static final class RefusedOption extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedOption(String property, String value, String why) {
            super("-D" + property + "=" + value + ": " + why, null, false, false);
        }
    }

    /** Starts the distribution; see the class comment and {@code --help}. */
    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Options options;
        try {
            options = Options.parse(args);
        } catch (VersionRequest e) {
            System.out.println("Vigil " + version() + " (Apache Felix " + frameworkVersion() + ", Java "
                    + System.getProperty("java.version") + ")");
            System.exit(0);
            return;
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("vigil: " + e.getMessage());
            }
            System.err.println(USAGE);
            System.exit(e.getMessage() == null ? 0 : EXIT_LAUNCH_FAILED);
            return;
        }
        try {
            System.exit(run(options, t0));
        } catch (Exception e) {
            System.err.println("vigil: could not start: " + e);
            e.printStackTrace();
            System.exit(EXIT_LAUNCH_FAILED);
        }
    }

    private static int run(Options options, long t0) throws Exception {
        Path storage = options.storage();
        boolean fresh = storage == null;
        if (fresh) {
            storage = Files.createTempDirectory("vigil-");
            Path doomed = storage;
            // Only deletes files: the process's end belongs to the runtime (S1, S3), so no hook
            // stops the framework.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(doomed), "vigil-storage-cleanup"));
        }
        Path goshHome = storage.resolve("gosh");
        Files.createDirectories(goshHome.resolve("etc"));
        boolean jline = options.jline();
        Path history;
        try {
            Path file = historyFile(); // checked whichever the console: a typo is never silent
            history = jline ? file : null;
        } catch (RefusedOption e) {
            refuse(e);
            return EXIT_LAUNCH_FAILED;
        }

        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, storage.resolve("felix-cache").toString());
        if (fresh) {
            props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        }
        props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(LEVEL_LIBRARIES));
        props.put("felix.log.level", "1");
        // the engine bundle's Truffle needs them (TOOLCHAIN.md pitfall 22; jdk.internal.access on JDK 25)
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "jdk.internal.module,jdk.internal.access");
        props.put("gosh.home", goshHome.toString());
        // Interactive: gosh --login reads gosh.home/etc/gosh_profile and runs the console.
        // Otherwise Gogo's console does nothing and this class runs the commands.
        props.put("gosh.args", !options.interactive() ? "--nointeractive" : jline && history == null ? "--nohistory" : "");
        if (history != null) {
            props.put(HISTORY, history.toString()); // read by the profile (goshProfile)
        }
        if (System.getProperty("vigil.signals") == null) {
            props.put("vigil.signals", "true");
        }

        // The Log Service's listeners see INFO (its default is WARN): Vigil's notices and reports.
        props.put("org.osgi.service.log.admin.loglevel", "INFO");
        ConsoleLog console = new ConsoleLog().installJulHandler();

        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(props);
        framework.init();
        trace(t0, "framework initialised");
        BundleContext context = framework.getBundleContext();
        List<Bundle> bundles = installBundles(context, jline);
        trace(t0, "bundles installed");
        framework.start();
        trace(t0, "start level " + LEVEL_LIBRARIES);
        console.listen(context);
        AtomicInteger exitCode = new AtomicInteger(0);
        AtomicReference<JLineConsole> terminalInUse = new AtomicReference<>();
        offerExit(context, framework, console, exitCode, terminalInUse);

        try {
            checkRuntimeOptions(context);
            raiseStartLevel(framework, LEVEL_POLICIES);
            checkPolicyOptions(context, awaitPolicies(context, bundles));
        } catch (RefusedOption e) {
            refuse(e);
            framework.stop();
            framework.waitForStop(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
            return EXIT_LAUNCH_FAILED;
        }
        applyPolicyOptions(context);
        raiseStartLevel(framework, LEVEL_VIGIL);
        trace(t0, "start level " + LEVEL_VIGIL);
        awaitService(context, "(osgi.command.scope=vigil)");
        trace(t0, "vigil commands registered");
        String policy = activePolicy(context);
        long vigilReady = System.nanoTime();
        if (options.interactive()) {
            Files.writeString(goshHome.resolve("etc/gosh_profile"), goshProfile(jline, history), StandardCharsets.UTF_8);
        }
        // Opened before gogo.jline starts, which then runs on it (see JLineConsole).
        try (JLineConsole terminal = jline ? JLineConsole.open(context) : null) {
            terminalInUse.set(terminal);
            raiseStartLevel(framework, LEVEL_CONSOLE);
            long allActive = System.nanoTime();
            checkAllActive(bundles);
            long jvmUp = ManagementFactory.getRuntimeMXBean().getUptime();
            System.out.printf("Vigil %s: %d bundles active, framework start %d ms (Vigil ready at %d ms), JVM up %d ms; "
                    + "policy %s%s%n", version(), bundles.size(), millis(t0, allActive), millis(t0, vigilReady), jvmUp,
                    policy, signalsOn(context) ? "; SIGINT/SIGTERM shuts down (a further SIGINT interrupts the wait)" : "");
            if (terminal != null) {
                System.out.println("console: " + terminal.description() + "; history " + (history == null ? "off"
                        : history));
                if (terminal.dumb()) {
                    System.err.println("vigil: JLine could not drive this terminal (" + terminal.description()
                            + "): no line editing; --console=plain reads lines as they come");
                }
            }
            if (options.interactive()) {
                return awaitStop(framework, exitCode);
            }
        }
        String program = options.script() != null ? Files.readString(options.script()) : String.join("\n",
                options.commands());
        if (!execute(context, program)) {
            return EXIT_COMMAND_FAILED;
        }
        if (options.stay()) {
            return awaitStop(framework, exitCode);
        }
        Consumer<String> shutdown = processShutdown(context);
        if (shutdown != null) {
            // The same path as an operator's SIGTERM (S1), announced with its real cause: shut
            // down under the policy, print the report, exit 0 or 3 (S3).
            shutdown.accept(options.script() != null ? "end of script " + options.script().getFileName()
                    : "end of -c commands");
        } else {
            framework.stop();
        }
        return awaitStop(framework, exitCode);
    }

    /**
     * The registry's seam for starting the process's shutdown (a {@code Consumer<String>} of
     * the cause, service property {@code vigil.process=shutdown}); null when signals are off.
     */
    @SuppressWarnings("unchecked")
    private static Consumer<String> processShutdown(BundleContext context) throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences(Consumer.class.getName(), "(vigil.process=shutdown)");
        return refs == null ? null : (Consumer<String>) context.getService(refs[0]);
    }

    /**
     * Offers the registry the process's exit (an {@code IntConsumer}, service property
     * {@code vigil.process=exit}): the console is flushed first (the report is on the screen)
     * and a JLine terminal closed (its modes restored), then the process exits with the code — or, while the framework stops (Ctrl-D,
     * {@code stop 0}), the code is kept for {@link #awaitStop}.
     */
    private static void offerExit(BundleContext context, Framework framework, ConsoleLog console,
            AtomicInteger exitCode, AtomicReference<JLineConsole> terminal) {
        IntConsumer exit = code -> {
            console.flush();
            exitCode.set(code);
            if (framework.getState() != Bundle.STOPPING) {
                JLineConsole t = terminal.get();
                if (t != null) {
                    t.close(); // the terminal's modes restored before the exit, not left to JLine's hook
                }
                System.exit(code);
            }
        };
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("vigil.process", "exit");
        context.registerService(IntConsumer.class.getName(), exit, props);
    }

    /** Whether the registry installs signal handlers: what it reads, the framework property. */
    private static boolean signalsOn(BundleContext context) {
        return "true".equalsIgnoreCase(String.valueOf(context.getProperty("vigil.signals")).trim());
    }

    // ---- bundles

    /**
     * Installs and starts (at their start levels) the embedded bundles: with the JLine console
     * JLine and gogo.jline instead of gogo.shell, else exactly the plain set.
     */
    private static List<Bundle> installBundles(BundleContext context, boolean jline) throws IOException,
            BundleException {
        Map<String, byte[]> jars = embeddedBundles();
        List<Bundle> installed = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : jars.entrySet()) {
            String jar = e.getKey();
            boolean jlineConsole = jar.startsWith("jline-") || jar.startsWith(GOGO_JLINE + "-");
            if (jline ? jar.startsWith(GOGO_SHELL + "-") : jlineConsole) {
                continue;
            }
            Bundle b = context.installBundle("vigil:" + e.getKey(), new ByteArrayInputStream(e.getValue()));
            b.adapt(BundleStartLevel.class).setStartLevel(startLevel(b.getSymbolicName()));
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
            installed.add(b);
        }
        return installed;
    }

    private static int startLevel(String symbolicName) {
        if (symbolicName.startsWith("dev.vigil.policy.")) {
            return LEVEL_POLICIES;
        }
        if (symbolicName.equals(GOGO_SHELL) || symbolicName.equals(GOGO_JLINE)) {
            return LEVEL_CONSOLE;
        }
        if (symbolicName.startsWith("dev.vigil.") && !symbolicName.equals("dev.vigil.api")
                || symbolicName.equals("org.apache.felix.gogo.command")) {
            return LEVEL_VIGIL;
        }
        return LEVEL_LIBRARIES;
    }

    /** The jars under {@code bundles/} of this jar (or of the class folder, when run from a build). */
    private static Map<String, byte[]> embeddedBundles() throws IOException {
        Map<String, byte[]> jars = new TreeMap<>();
        Path source;
        try {
            source = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.list(source.resolve(BUNDLES))) {
                for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".jar"))::iterator) {
                    jars.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
        } else {
            try (JarFile jar = new JarFile(source.toFile())) {
                for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                    String name = e.getName();
                    if (name.startsWith(BUNDLES) && name.endsWith(".jar")) {
                        try (InputStream in = jar.getInputStream(e)) {
                            jars.put(name.substring(BUNDLES.length()), in.readAllBytes());
                        }
                    }
                }
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no bundles found under " + BUNDLES + " in " + source);
        }
        return jars;
    }

    private static void checkAllActive(List<Bundle> bundles) {
        for (Bundle b : bundles) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                throw new IllegalStateException("bundle " + b.getSymbolicName() + " is not active (state "
                        + b.getState() + ")");
            }
        }
    }

    /** Raises the framework's start level and waits until the bundles of that level started. */
    private static void raiseStartLevel(Framework framework, int level) throws InterruptedException {
        CountDownLatch reached = new CountDownLatch(1);
        framework.adapt(FrameworkStartLevel.class).setStartLevel(level, event -> {
            if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                reached.countDown();
            }
        });
        if (!reached.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("start level " + level + " not reached in " + START_TIMEOUT_SECONDS + " s");
        }
    }

    private static void awaitService(BundleContext context, String filter) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        CountDownLatch registered = new CountDownLatch(1);
        ServiceListener listener = e -> registered.countDown();
        context.addServiceListener(listener, filter);
        try {
            if (context.getServiceReferences((String) null, filter) == null
                    && !registered.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("no service " + filter + " within " + START_TIMEOUT_SECONDS
                        + " s: is a Vigil component unsatisfied? (scr:list)");
            }
        } finally {
            context.removeServiceListener(listener);
        }
    }

    private static int awaitStop(Framework framework, AtomicInteger exitCode) throws InterruptedException {
        framework.waitForStop(0);
        if (Boolean.getBoolean("vigil.launcher.trace")) {
            // what the bundles (the console's terminal included) left running: the JVM's own threads only
            System.err.println("[vigil launcher] threads after the framework stopped: " + Thread.getAllStackTraces()
                    .keySet().stream().filter(t -> t != Thread.currentThread()).map(Thread::getName).sorted().toList());
        }
        return exitCode.get();
    }

    // ---- checks before anything of Vigil starts (exit 1, DESIGN.md §7)

    private static void refuse(RefusedOption e) {
        System.err.println("vigil: " + e.getMessage());
        System.err.println("vigil: nothing started (exit code " + EXIT_LAUNCH_FAILED + "); vigil --help lists "
                + "the options");
    }

    /**
     * The JLine console's history file: {@code vigil.history}, default {@code ~/.vigil_history};
     * null for {@code off}. Its folder must exist (JLine creates the file).
     */
    private static Path historyFile() throws RefusedOption {
        String value = System.getProperty(HISTORY);
        if (value != null && value.trim().equalsIgnoreCase("off")) {
            return null;
        }
        Path file = Path.of(value != null ? value.trim() : System.getProperty("user.home"), value != null ? ""
                : ".vigil_history").toAbsolutePath();
        Path folder = file.getParent();
        if (value != null && (value.isBlank() || Files.isDirectory(file) || folder == null
                || !Files.isDirectory(folder))) {
            throw new RefusedOption(HISTORY, value, "vigil.history must be off or a file in an existing folder");
        }
        return file;
    }

    /**
     * Whether standard input and output are a terminal: {@link System#console()} (null otherwise
     * up to JDK 21) and, on JDK 22+ where it is never null, {@code Console.isTerminal()}.
     */
    static boolean stdioIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17-21: a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** {@code vigil.diagnostics}, {@code vigil.signals}, {@code vigil.progress}, {@code vigil.jmx}. */
    private static void checkRuntimeOptions(BundleContext context) throws Exception {
        String diagnostics = System.getProperty("vigil.diagnostics");
        if (diagnostics != null) {
            try {
                bundleClass(context, "dev.vigil.api", "dev.vigil.api.DiagnosticsLevel").getMethod("parse", String.class)
                        .invoke(null, diagnostics);
            } catch (InvocationTargetException e) {
                throw new RefusedOption("vigil.diagnostics", diagnostics, e.getCause().getMessage());
            }
        }
        for (String key : List.of("vigil.signals", "vigil.jmx")) {
            String v = System.getProperty(key);
            if (v != null && !v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) {
                throw new RefusedOption(key, v, key + " must be true or false");
            }
        }
        String progress = System.getProperty("vigil.progress");
        if (progress != null) {
            try {
                bundleClass(context, "dev.vigil.registry", "dev.vigil.registry.RegistryKernelProvider")
                        .getMethod("checkProgress", String.class).invoke(null, progress);
            } catch (InvocationTargetException e) {
                throw new RefusedOption("vigil.progress", progress, e.getCause().getMessage());
            }
        }
    }

    /** The policy services by name, once every policy bundle registered its policy. */
    private static Map<String, Object> awaitPolicies(BundleContext context, List<Bundle> bundles) throws Exception {
        long expected = bundles.stream().filter(b -> startLevel(b.getSymbolicName()) == LEVEL_POLICIES).count();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        java.util.concurrent.Semaphore registered = new java.util.concurrent.Semaphore(0);
        ServiceListener listener = e -> registered.release();
        context.addServiceListener(listener, "(objectClass=" + POLICY_TYPE + ")");
        try {
            for (;;) {
                Map<String, Object> byName = new TreeMap<>();
                ServiceReference<?>[] refs = context.getServiceReferences(POLICY_TYPE, null);
                for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                    byName.put(String.valueOf(ref.getProperty("vigil.policy.name")), context.getService(ref));
                }
                if (byName.size() >= expected) {
                    return byName;
                }
                if (!registered.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException("only policies " + byName.keySet() + " registered within "
                            + START_TIMEOUT_SECONDS + " s: is a policy component unsatisfied? (scr:list)");
                }
            }
        } finally {
            context.removeServiceListener(listener);
        }
    }

    /** {@code vigil.policy} names a policy; each {@code vigil.policy.<policy>.<option>} fits it (P6). */
    private static void checkPolicyOptions(BundleContext context, Map<String, Object> policies) throws Exception {
        String known = String.join(", ", policies.keySet()) + " (policies named by vigil.policy.<policy>.<option>)";
        String chosen = System.getProperty("vigil.policy");
        if (chosen != null && !policies.containsKey(chosen.trim())) {
            throw new RefusedOption("vigil.policy", chosen, "unknown policy \"" + chosen + "\"; the policies are "
                    + String.join(", ", policies.keySet()));
        }
        Method withOptions = bundleClass(context, "dev.vigil.api", POLICY_TYPE).getMethod("withOptions", Map.class);
        for (Map.Entry<String, Hashtable<String, Object>> e : policyOptionsByName().entrySet()) {
            Object policy = policies.get(e.getKey());
            Map.Entry<String, Object> first = e.getValue().entrySet().iterator().next();
            String property = POLICY_OPTION_PREFIX + e.getKey() + "." + first.getKey();
            if (policy == null) {
                throw new RefusedOption(property, String.valueOf(first.getValue()), "no policy \"" + e.getKey()
                        + "\"; the policies are " + known);
            }
            Map<String, String> values = new TreeMap<>();
            e.getValue().forEach((k, v) -> values.put(k, String.valueOf(v)));
            try {
                withOptions.invoke(policy, values);
            } catch (InvocationTargetException ex) {
                String option = values.keySet().stream().filter(k -> ex.getCause().getMessage().contains(k))
                        .findFirst().orElse(first.getKey());
                throw new RefusedOption(POLICY_OPTION_PREFIX + e.getKey() + "." + option, values.get(option),
                        ex.getCause().getMessage());
            }
        }
    }

    private static Class<?> bundleClass(BundleContext context, String symbolicName, String className)
            throws ClassNotFoundException {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b.loadClass(className);
            }
        }
        throw new IllegalStateException("bundle " + symbolicName + " is not installed");
    }

    // ---- configuration

    /**
     * Turns system properties {@code vigil.policy.<policy>.<option>} into the Configuration
     * Admin PIDs {@code dev.vigil.policy.<policy>} that the policy bundles read (P6). Reflective:
     * the Configuration Admin API lives in a bundle this class does not share a loader with.
     */
    private static void applyPolicyOptions(BundleContext context) throws Exception {
        Map<String, Hashtable<String, Object>> byPid = new TreeMap<>();
        policyOptionsByName().forEach((policy, options) -> byPid.put("dev.vigil.policy." + policy, options));
        if (byPid.isEmpty()) {
            return;
        }
        ServiceReference<?> ref = context.getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        if (ref == null) {
            throw new IllegalStateException("Configuration Admin is not running; cannot apply " + byPid);
        }
        Object admin = context.getService(ref);
        try {
            Class<?> adminType = ref.getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
            Class<?> configType = ref.getBundle().loadClass("org.osgi.service.cm.Configuration");
            Method get = adminType.getMethod("getConfiguration", String.class, String.class);
            Method update = configType.getMethod("update", Dictionary.class);
            for (Map.Entry<String, Hashtable<String, Object>> e : byPid.entrySet()) {
                update.invoke(get.invoke(admin, e.getKey(), "?"), e.getValue());
            }
        } finally {
            context.ungetService(ref);
        }
    }

    /** System properties {@code vigil.policy.<policy>.<option>}, by policy name. */
    private static Map<String, Hashtable<String, Object>> policyOptionsByName() {
        Map<String, Hashtable<String, Object>> byName = new TreeMap<>();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(POLICY_OPTION_PREFIX)) {
                String rest = key.substring(POLICY_OPTION_PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    byName.computeIfAbsent(rest.substring(0, dot), k -> new Hashtable<>())
                            .put(rest.substring(dot + 1), System.getProperty(key));
                }
            }
        }
        return byName;
    }

    private static String activePolicy(BundleContext context) throws Exception {
        ServiceReference<?> ref = context.getServiceReference("dev.vigil.api.Policies");
        if (ref == null) {
            return "(no registry)";
        }
        Object policies = context.getService(ref);
        try {
            return String.valueOf(ref.getBundle().loadClass("dev.vigil.api.Policies").getMethod("active")
                    .invoke(policies));
        } finally {
            context.ungetService(ref);
        }
    }

    // ---- Gogo

    /**
     * Runs {@code program} in a new Gogo session (the non-interactive mode), statement by
     * statement: prints each non-null result as the console would, and stops at the first
     * failing command, printing its error. Reflective, as Gogo's API lives in a bundle.
     *
     * @return whether every command succeeded
     */
    private static boolean execute(BundleContext context, String program) throws Exception {
        String processorType = "org.apache.felix.service.command.CommandProcessor";
        ServiceReference<?> ref = context.getServiceReference(processorType);
        if (ref == null) {
            throw new IllegalStateException("Gogo's command processor is not running");
        }
        Object processor = context.getService(ref);
        Class<?> type = ref.getBundle().loadClass(processorType);
        Class<?> sessionType = ref.getBundle().loadClass("org.apache.felix.service.command.CommandSession");
        // Gogo replaces System.out with a per-thread stream; a session writing back into it
        // would loop, so the session gets the process's own descriptors (as Gogo's console does).
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        Object session = type.getMethod("createSession", InputStream.class, OutputStream.class,
                OutputStream.class).invoke(processor, new ByteArrayInputStream(new byte[0]), out, err);
        Method execute = sessionType.getMethod("execute", CharSequence.class);
        Method format = sessionType.getMethod("format", Object.class, int.class);
        try {
            for (String statement : Statements.split(program)) {
                Object result = execute.invoke(session, statement);
                if (result != null) {
                    out.println(format.invoke(session, result, 0)); // 0: Converter.INSPECT, as the console
                }
            }
            return true;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            err.println("vigil: command failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            return false;
        } finally {
            sessionType.getMethod("close").invoke(session);
            context.ungetService(ref);
        }
    }

    /**
     * The console's profile. On JLine it also points the line reader at the history file (read
     * from the framework property, so no path is quoted here) and names the editing keys.
     */
    private static String goshProfile(boolean jline, Path history) {
        return String.join("\n",
                "# Written by the Vigil launcher for this run (gosh.home/etc/gosh_profile).",
                "try {",
                "  # vigil commands can be typed without their scope: interpreters, guard, shutdown ...",
                "  SCOPE = 'gogo:vigil:*'",
                "  addcommand context ${.context}",
                "  e = { $exception printStackTrace }",
                "  prompt = 'vigil> '",
                jline && history != null ? "  history-file = (${.context} getProperty " + HISTORY + ")" : "",
                "  echo 'commands: interpreters, create, guard, close, guards, policy, shutdown, interrupt, demo"
                        + " (scope vigil:); help <command> shows its options; Ctrl-C shuts down; Ctrl-D stops"
                        + " the framework'",
                jline ? "  echo 'console: Tab completes commands, Up/Down and Ctrl-R recall history, Emacs keys edit'"
                        : "",
                "} {",
                "  echo \"$0: ERROR: $exception\"",
                "}",
                "");
    }

    // ---- helpers

    private static String frameworkVersion() {
        try (InputStream in = Launcher.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            String v = in == null ? null : new java.util.jar.Manifest(in).getMainAttributes().getValue("Felix-Version");
            return v == null ? "(development)" : v;
        } catch (IOException e) {
            return "(unknown version)";
        }
    }

    private static String version() {
        String v = Launcher.class.getPackage().getImplementationVersion();
        return v == null ? "(development)" : v;
    }

    /** Start-up phases on standard error, with {@code -Dvigil.launcher.trace=true}. */
    private static void trace(long t0, String what) {
        if (Boolean.getBoolean("vigil.launcher.trace")) {
            System.err.printf("[vigil launcher] %5d ms  %s%n", millis(t0, System.nanoTime()), what);
        }
    }

    private static long millis(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: a temporary folder left behind is harmless
        }
    }
}
