package dev.vigil.distribution;

import java.io.FilterOutputStream;
import java.io.IOError;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The terminal of the interactive console when it runs on JLine (Gogo's {@code gogo.jline}
 * bundle): line editing, history and completion, with Ctrl-C left to the runtime's signal
 * handling (rule S1) exactly as with the plain console.
 *
 * <p><b>Implementation notes.</b> JLine's system terminal takes SIGINT for itself: each
 * {@code Terminal.handle(INT, h)} — the line reader calls it around every {@code readLine},
 * Gogo's shell around its loop — installs a JVM signal handler that raises INT on the terminal,
 * which would replace the registry's S1 handler (the reason the distribution first chose plain
 * Gogo). So this class opens the terminal itself with {@code nativeSignals(false)} and hands
 * gogo.jline (through JLine's {@code TerminalBuilder.setTerminalOverride}, which the gogo.jline
 * activator's {@code build()} then returns) a view of it that withholds INT: {@code handle(INT, h)}
 * records {@code h} and returns the previous one recorded, without reaching the terminal.
 * Invariant: nothing ever calls the real terminal's {@code handle(INT, ...)}, so JLine never
 * registers a SIGINT handler and the registry's stays in place — Ctrl-C at the prompt, during a
 * command and during a waiting shutdown is S1's, as before. The terminal's line discipline keeps
 * ISIG on in JLine's raw mode, so Ctrl-C still arrives as SIGINT. The view also hands out the
 * terminal's {@code output()} (the stream gogo.jline gives command sessions) flushed at each write,
 * as the plain console's is, so a command's progress lines show as they come; and it holds
 * {@code enterRawMode} once closing (below). Every other call goes to the real terminal.
 *
 * <p>The terminal restores the attributes it found (cooked mode, echo, MIN/TIME) when it closes:
 * gogo.jline closes it when its bundle stops (Ctrl-D, {@code stop 0}), the launcher before the
 * process exits after a signal-started shutdown (exit codes 0, 3) and after the framework stopped
 * or failed to start (try-with-resources), JLine's own shutdown hook on any other exit. The view
 * closes the real terminal at most once. A line reader still reading would undo part of that
 * restore: it polls the terminal with MIN 0 / TIME 1 and sets them again before each poll. So
 * {@link #close()} first stops it: it interrupts the thread that last entered raw mode (the
 * reader's {@code readLine} then ends), and a thread entering raw mode once closing has begun is
 * held there until interrupted again (gogo.jline's own stop interrupts it; at a process exit
 * nothing does, and the JVM ends it). Only then, or after {@value #READER_STOP_MILLIS} ms, are the
 * attributes restored. JLine's own restore loses what its attribute model lacks (a pty's line speed
 * comes back as 0 baud), so the modes are also saved with {@code stty -g} before JLine opens the
 * terminal and put back with {@code stty} after it closed it: the terminal ends exactly as found
 * (where there is no {@code stty}, JLine's restore is all there is). JLine's terminal providers
 * are loaded through the thread context class loader, so it is set to the JLine bundle's loader
 * while the terminal is built.
 *
 * <p>Reflective (JLine lives in a bundle, this class on the launcher's class path), like
 * {@link ConsoleLog}. Not thread-safe to open; {@link #close()} may be called from any thread,
 * any number of times, and blocks at most {@value #READER_STOP_MILLIS} ms (stopping the reader).
 */
final class JLineConsole implements AutoCloseable {

    /** The JLine bundle's symbolic name. */
    static final String JLINE_BUNDLE = "org.jline";
    /** Terminal providers, in order: native ones first (FFM on JDK 22+, JNI), then stty-based exec. */
    static final String PROVIDERS = "ffm,jni,exec";
    private static final long READER_STOP_MILLIS = 2000;

    private final Class<?> builderType;
    private final Class<?> terminalType;
    private final Object terminal;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String description;
    /** The thread that last entered raw mode: the line reader's. */
    private volatile Thread reader;
    /** Set by {@link #close()} before it stops the reader: raw mode is refused from then on. */
    private volatile boolean closing;
    /** Counted down when a thread is held in {@code enterRawMode} after closing began. */
    private final CountDownLatch readerHeld = new CountDownLatch(1);
    /** The terminal's modes before JLine opened it ({@code stty -g}); null if unknown. */
    private final String modesFound;

    private JLineConsole(Class<?> builderType, Class<?> terminalType, Object terminal, String description,
            String modesFound) {
        this.modesFound = modesFound;
        this.builderType = builderType;
        this.terminalType = terminalType;
        this.terminal = terminal;
        this.description = description;
    }

    /**
     * Opens the system terminal and makes it the one gogo.jline will use (call before the
     * gogo.jline bundle starts).
     *
     * @throws IllegalStateException if the JLine bundle is not installed
     * @throws Exception if JLine cannot build a terminal
     */
    static JLineConsole open(BundleContext context) throws Exception {
        Bundle jline = null;
        for (Bundle b : context.getBundles()) {
            if (JLINE_BUNDLE.equals(b.getSymbolicName())) {
                jline = b;
            }
        }
        if (jline == null) {
            throw new IllegalStateException("bundle " + JLINE_BUNDLE + " is not installed");
        }
        ClassLoader loader = jline.adapt(BundleWiring.class).getClassLoader();
        Class<?> builderType = loader.loadClass("org.jline.terminal.TerminalBuilder");
        Class<?> terminalType = loader.loadClass("org.jline.terminal.Terminal");
        Class<?> handlerType = loader.loadClass("org.jline.terminal.Terminal$SignalHandler");
        Class<?> signalType = loader.loadClass("org.jline.terminal.Terminal$Signal");
        Object sigDfl = handlerType.getField("SIG_DFL").get(null);

        String modesFound = stty("-g");
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        Object terminal;
        try {
            Object builder = builderType.getMethod("builder").invoke(null);
            builder = builderType.getMethod("name", String.class).invoke(builder, "vigil");
            builder = builderType.getMethod("system", boolean.class).invoke(builder, true);
            builder = builderType.getMethod("providers", String.class).invoke(builder, PROVIDERS);
            builder = builderType.getMethod("nativeSignals", boolean.class).invoke(builder, false);
            builder = builderType.getMethod("signalHandler", handlerType).invoke(builder, sigDfl);
            terminal = builderType.getMethod("build").invoke(builder);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } finally {
            thread.setContextClassLoader(previous);
        }

        JLineConsole console = new JLineConsole(builderType, terminalType, terminal,
                describe(terminal, terminalType, loader), modesFound);
        Object view = Proxy.newProxyInstance(loader, new Class<?>[] {terminalType},
                console.withholdingInt(signalType.getField("INT").get(null), sigDfl));
        builderType.getMethod("setTerminalOverride", terminalType).invoke(null, view);
        return console;
    }

    /**
     * The view's behaviour: INT handlers recorded, never installed; {@code output()} flushed at
     * each write; raw mode refused once closing; close once; the rest delegated.
     */
    private InvocationHandler withholdingInt(Object intSignal, Object sigDfl) throws ReflectiveOperationException {
        AtomicReference<Object> intHandler = new AtomicReference<>(sigDfl);
        OutputStream flushing = flushingEachWrite((OutputStream) terminalType.getMethod("output").invoke(terminal));
        return (proxy, method, args) -> {
            switch (method.getName()) {
                case "output" -> {
                    if (args == null || args.length == 0) {
                        return flushing;
                    }
                }
                case "handle" -> {
                    if (args != null && args.length == 2 && args[0] == intSignal) {
                        return intHandler.getAndSet(args[1]);
                    }
                }
                case "close" -> {
                    if (args == null || args.length == 0) {
                        close();
                        return null;
                    }
                }
                case "enterRawMode" -> {
                    if (closing) {
                        readerHeld.countDown();
                        while (!Thread.interrupted()) {
                            LockSupport.park(this);
                        }
                        throw new IOError(new InterruptedIOException("the console is closed"));
                    }
                    reader = Thread.currentThread();
                }
                case "equals" -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return proxy == args[0];
                    }
                }
                case "hashCode" -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return System.identityHashCode(proxy);
                    }
                }
                case "toString" -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return "Vigil console terminal (" + description + ")";
                    }
                }
                default -> {
                    // delegated below
                }
            }
            try {
                return method.invoke(terminal, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }

    /**
     * The terminal's output as Gogo's sessions get it (gogo.jline hands {@code output()} to the
     * command session): JLine buffers it until flushed, which a command printing progress while
     * it runs ({@code vigil:shutdown --wait}) never does; the plain console's stream is unbuffered.
     */
    private static OutputStream flushingEachWrite(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                out.flush();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                out.flush();
            }
        };
    }

    private static String describe(Object terminal, Class<?> terminalType, ClassLoader loader) {
        String provider = "none";
        String type = "?";
        try {
            type = String.valueOf(terminalType.getMethod("getType").invoke(terminal));
            Class<?> ext = loader.loadClass("org.jline.terminal.spi.TerminalExt");
            if (ext.isInstance(terminal)) {
                Object p = ext.getMethod("getProvider").invoke(terminal);
                provider = String.valueOf(loader.loadClass("org.jline.terminal.spi.TerminalProvider")
                        .getMethod("name").invoke(p));
            }
        } catch (ReflectiveOperationException e) {
            // an older JLine: no provider to name
        }
        return "JLine " + terminal.getClass().getSimpleName() + ", provider " + provider + ", type " + type;
    }

    /**
     * Runs {@code stty <argument>} on the terminal that is standard input (inherited), waiting at
     * most 5 s. Returns its trimmed output, or null if it failed, took too long or there is none.
     */
    private static String stty(String argument) {
        try {
            Process stty = new ProcessBuilder("stty", argument).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = stty.getInputStream().readAllBytes();
            if (!stty.waitFor(5, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return null;
            }
            return stty.exitValue() == 0 ? new String(out, java.nio.charset.StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether JLine fell back to a dumb terminal (no line editing): no provider could open the real one. */
    boolean dumb() {
        return description.contains("provider none") || description.contains("type dumb");
    }

    /** The terminal's class, provider and type, e.g. {@code JLine PosixSysTerminal, provider jni, type xterm}. */
    String description() {
        return description;
    }

    /**
     * Restores the terminal's attributes and releases it (once), and clears the override.
     * Errors are swallowed: the process is ending and the terminal is released as far as it can be.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        Thread r = reader;
        if (r != null && r != Thread.currentThread() && r.isAlive()) {
            r.interrupt(); // its readLine ends; it ends too, or is held on entering raw mode again
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READER_STOP_MILLIS);
            try {
                while (r.isAlive() && !readerHeld.await(20, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                    // bounded: a command that ignores the interrupt only delays the restore
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            terminalType.getMethod("close").invoke(terminal);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // restored below as far as stty can
        }
        if (modesFound != null) {
            stty(modesFound);
        }
        try {
            builderType.getMethod("setTerminalOverride", terminalType).invoke(null, (Object) null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the JLine bundle is gone with the framework: so is its override
        }
    }
}
