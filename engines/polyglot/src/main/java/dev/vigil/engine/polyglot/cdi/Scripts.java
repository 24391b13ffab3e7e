package dev.vigil.engine.polyglot.cdi;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.VigilRuntime;
import dev.vigil.engine.polyglot.PolyglotInterpreters;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Engine-backed interpreters for a CDI application (DESIGN.md §6): the container's
 * {@link VigilRuntime} (from {@code vigil-cdi}) with a {@link PolyglotInterpreters} on it.
 * {@link #eval(String, String)} evaluates in a named interpreter with {@code @Attached}
 * semantics — ensureFromView, evaluate, release; {@link InterpreterFinalizingException} without
 * running anything once the interpreter is past its point of no return. A bean method annotated
 * {@code @Attached("name")} may also call {@code engines().eval(code)} directly.
 *
 * <p>Not discovered on its own (the engine jar is no bean archive, so that a CDI application
 * without {@code vigil-cdi} is unaffected): add it to the deployment, e.g. Weld's
 * {@code addBeanClasses(Scripts.class)} or a {@code beans.xml} of yours. Thread-safe; the
 * contexts close when the application context ends.
 */
@ApplicationScoped
public class Scripts {

    private final VigilRuntime runtime;
    private final PolyglotInterpreters engines;
    /** The interpreters created here, by name: a finalized one still answers with Vigil's error. */
    private final Map<String, Interpreter> created = new ConcurrentHashMap<>();

    /** For the container's proxy only. */
    protected Scripts() {
        this.runtime = null;
        this.engines = null;
    }

    @Inject
    public Scripts(VigilRuntime runtime) {
        this.runtime = runtime;
        this.engines = PolyglotInterpreters.create(runtime);
    }

    /** The engine-backed interpreters of the container's runtime. */
    public PolyglotInterpreters engines() {
        return engines;
    }

    /** Creates an interpreter named {@code name} backed by a context of {@code language}. */
    public Interpreter create(String name, String language) {
        Interpreter i = engines.create(name, language);
        created.put(name, i);
        return i;
    }

    /**
     * Evaluates {@code code} in the interpreter named {@code name}, attached as {@code @Attached}
     * would attach (T3), and returns a host copy of the result.
     *
     * @throws IllegalArgumentException if no engine-backed interpreter has that name
     * @throws InterpreterFinalizingException if it is past its point of no return
     */
    public Object eval(String name, String code) {
        Objects.requireNonNull(name, "name");
        return engines.eval(interpreter(name), name, code);
    }

    private Interpreter interpreter(String name) {
        Interpreter mine = created.get(name);
        if (mine != null) {
            return mine;
        }
        for (Interpreter i : runtime.registry().interpreters()) {
            if (i.name().equals(name) && i.state() != InterpreterState.FINALIZED && engines.language(i).isPresent()) {
                return i;
            }
        }
        throw new IllegalArgumentException("no engine-backed interpreter named \"" + name + "\"");
    }

    @PreDestroy
    void close() {
        engines.close();
    }
}
