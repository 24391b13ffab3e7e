package dev.vigil.distribution;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
 * command and during a waiting shutdown is S1's, as before. Every other call goes to the real
 * terminal. The terminal's line discipline keeps ISIG on in JLine's raw mode, so Ctrl-C still
 * arrives as SIGINT.
 *
 * <p>The terminal restores the attributes it found (cooked mode, echo) when it closes: gogo.jline
 * closes it when its bundle stops (Ctrl-D, {@code stop 0}), {@link #close()} after the framework
 * stopped, and JLine's own shutdown hook when the process exits first ({@code System.exit} after a
 * signal-started shutdown, exit codes 0, 3, or 1 on a late start failure). The view closes the
 * real terminal at most once. JLine's terminal providers are loaded through the thread context
 * class loader, so it is set to the JLine bundle's loader while the terminal is built.
 *
 * <p>Reflective (JLine lives in a bundle, this class on the launcher's class path), like
 * {@link ConsoleLog}. Not thread-safe to open; {@link #close()} may be called from any thread,
 * any number of times.
 */
final class JLineConsole implements AutoCloseable {

    /** The JLine bundle's symbolic name. */
    static final String JLINE_BUNDLE = "org.jline";
    /** Terminal providers, in order: native ones first (FFM on JDK 22+, JNI), then stty-based exec. */
    static final String PROVIDERS = "ffm,jni,exec";

    private final Class<?> builderType;
    private final Class<?> terminalType;
    private final Object terminal;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String description;

    private JLineConsole(Class<?> builderType, Class<?> terminalType, Object terminal, String description) {
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
                describe(terminal, terminalType, loader));
        Object view = Proxy.newProxyInstance(loader, new Class<?>[] {terminalType},
                console.withholdingInt(signalType.getField("INT").get(null), sigDfl));
        builderType.getMethod("setTerminalOverride", terminalType).invoke(null, view);
        return console;
    }

    /** The view's behaviour: INT handlers recorded, never installed; close once; the rest delegated. */
    private InvocationHandler withholdingInt(Object intSignal, Object sigDfl) {
        AtomicReference<Object> intHandler = new AtomicReference<>(sigDfl);
        return (proxy, method, args) -> {
            switch (method.getName()) {
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
        try {
            terminalType.getMethod("close").invoke(terminal);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // nothing more to restore
        }
        try {
            builderType.getMethod("setTerminalOverride", terminalType).invoke(null, (Object) null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the JLine bundle is gone with the framework: so is its override
        }
    }
}
