package dev.vigil.engine.polyglot.osgi;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.engine.polyglot.PolyglotInterpreters;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Engine;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The engine bundle's component: makes the runtime's {@link PolyglotInterpreters} (registered
 * as a service of that type) and offers the Gogo commands, scope {@code vigil}, to create an
 * engine-backed interpreter and evaluate code in it, in the foreground or on a held thread:
 *
 * <pre>
 * vigil:script &lt;name&gt; &lt;language&gt;   create an interpreter backed by a context (js, python)
 * vigil:eval &lt;name&gt; &lt;code|@file&gt;   evaluate in the shell's thread (view, guard, attach) and print the result
 * vigil:evalheld &lt;name&gt; &lt;code|@file&gt;   evaluate on a thread of its own holding a guard until the script ends
 * vigil:scripts                  which scripts run where (thread, language, source, interpreter)
 * </pre>
 *
 * <p>Deactivation (bundle stop) closes every context, cancelling scripts still running, ends
 * the held threads and the engine's relay thread, and removes the JVM shutdown hook GraalVM
 * registered for the engine (which would keep this bundle's class loader): nothing this bundle
 * started outlives it, and an update or refresh leaves the old class loader collectable once
 * the threads that evaluated scripts have ended (Truffle leaves a thread-local value on each
 * thread that entered a context). Removing the hook needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}; without it a warning says the loader stays.
 * Commands throw {@link IllegalArgumentException} for an unknown interpreter or language.
 */
// Immediate: the service and the commands exist as long as the bundle is active.
@Component(service = PolyglotComponent.class, immediate = true, property = {
        "osgi.command.scope=vigil",
        "osgi.command.function=script",
        "osgi.command.function=eval",
        "osgi.command.function=evalheld",
        "osgi.command.function=scripts"})
public final class PolyglotComponent {

    private final InterpreterRegistry registry;
    private final InterpreterGuards guards;
    private final ThreadStates threadStates;
    private final PolyglotInterpreters engines;
    private final ServiceRegistration<PolyglotInterpreters> registration;
    private final BundleContext bundleContext;
    private final List<Thread> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger heldNumbers = new AtomicInteger();
    private final PrintStream out = System.out;

    @Activate
    public PolyglotComponent(BundleContext context, @Reference InterpreterRegistry registry,
            @Reference InterpreterGuards guards, @Reference ThreadStates threadStates) {
        this.registry = registry;
        this.guards = guards;
        this.threadStates = threadStates;
        this.engines = PolyglotInterpreters.create(registry, guards, threadStates, Map.of());
        this.registration = context.registerService(PolyglotInterpreters.class, engines, null);
        this.bundleContext = context;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        registration.unregister();
        engines.close(); // cancels the held scripts still running
        for (Thread t : held) {
            t.interrupt();
            t.join(10_000);
        }
        if (bundleContext.getBundle(0).getState() == Bundle.STOPPING) {
            return; // the framework stops: this class loader goes with it, the hook does no harm
        }
        try {
            EngineShutdownHooks.removeLoadedBy(Engine.class.getClassLoader());
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.getLogger("dev.vigil.engine").log(System.Logger.Level.WARNING, "[vigil] cannot remove GraalVM's"
                    + " engine shutdown hook (" + e + "; run the JVM with --add-opens java.base/java.lang=ALL-UNNAMED):"
                    + " this bundle's class loader stays after an update or refresh (DESIGN.md section 5)");
        }
    }

    /** vigil:script NAME LANGUAGE — creates an engine-backed interpreter. */
    public void script(String name, String language) {
        Interpreter i = engines.create(name, language);
        out.println("created " + language + " interpreter " + i.name() + " (#" + i.id() + ")");
    }

    /** vigil:eval NAME CODE — evaluates CODE (or @FILE) in the shell's thread and prints the result. */
    public void eval(String name, String code) throws IOException {
        Object result = engines.eval(interpreter(name), sourceName(code), source(code));
        out.println(result);
    }

    /** vigil:evalheld NAME CODE — evaluates CODE (or @FILE) on a thread of its own, holding a
     * guard and attached until the script ends; prints how it ended. */
    public void evalheld(String name, String code) throws IOException {
        Interpreter interpreter = interpreter(name);
        String text = source(code);
        String sourceName = sourceName(code);
        Thread t = new Thread(() -> {
            try (InterpreterView v = guards.viewOf(interpreter);
                    InterpreterGuard g = guards.fromView(v).orElseThrow(
                            () -> new IllegalStateException(name + " is finalizing"));
                    ThreadStateToken token = threadStates.ensure(g)) {
                out.println("[" + Thread.currentThread().getName() + "] " + sourceName + " returned "
                        + engines.eval(sourceName, text));
            } catch (RuntimeException e) {
                out.println("[" + Thread.currentThread().getName() + "] " + sourceName + " ended: " + e);
            } finally {
                held.remove(Thread.currentThread());
            }
        }, "vigil-script-" + name + "-" + heldNumbers.incrementAndGet());
        t.setDaemon(true);
        held.add(t);
        t.start();
        out.println("evaluating " + sourceName + " in " + name + " on thread \"" + t.getName() + "\", holding a guard");
    }

    /** vigil:scripts — the scripts running now. */
    public void scripts() {
        List<String> lines = engines.running();
        if (lines.isEmpty()) {
            out.println("no script is running");
        }
        lines.forEach(out::println);
    }

    private Interpreter interpreter(String name) {
        for (Interpreter i : registry.interpreters()) {
            if (i.name().equals(name) && engines.language(i).isPresent()) {
                return i;
            }
        }
        throw new IllegalArgumentException("no engine-backed interpreter named \"" + name
                + "\"; create one with vigil:script " + name + " js");
    }

    private static String source(String code) throws IOException {
        return code.startsWith("@") ? Files.readString(Path.of(code.substring(1)), StandardCharsets.UTF_8) : code;
    }

    private static String sourceName(String code) {
        return code.startsWith("@") ? Path.of(code.substring(1)).getFileName().toString() : "shell";
    }
}
