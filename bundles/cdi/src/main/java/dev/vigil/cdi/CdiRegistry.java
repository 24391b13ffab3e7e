package dev.vigil.cdi;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterView;
import jakarta.enterprise.event.Event;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry as CDI beans see it: the runtime's registry, plus what the container needs to
 * know of each interpreter — the events of its finalization and the view that
 * {@link Attached} attaches through.
 *
 * <p>Implementation notes. Every interpreter of a container's runtime is created here (the
 * main one by the runtime, the others by {@link #create}, since beans only reach the registry
 * through this class), so this is where a finalization-requested listener is registered for
 * each interpreter and where the view per interpreter name is cached ({@link #views}; a new
 * interpreter of a name replaces the finalized one's view — names are unique among live
 * interpreters). {@link InterpreterFinalized} is fired when a shutdown through this class
 * returns; F4 gives concurrent callers the same report, so {@link #finalizedFired} keeps the
 * event to one per interpreter.
 */
final class CdiRegistry implements InterpreterRegistry {

    private final InterpreterRegistry delegate;
    private final InterpreterGuards guards;
    private final Event<FinalizationRequested> requested;
    private final Event<InterpreterFinalized> finalized;
    private final Event<FinalizationAborted> aborted;
    private final ConcurrentHashMap<String, InterpreterView> views = new ConcurrentHashMap<>();
    private final Set<Long> finalizedFired = ConcurrentHashMap.newKeySet();
    private final InterpreterView mainView;

    CdiRegistry(InterpreterRegistry delegate, InterpreterGuards guards, Event<Object> events) {
        this.delegate = delegate;
        this.guards = guards;
        this.requested = events.select(FinalizationRequested.class);
        this.finalized = events.select(InterpreterFinalized.class);
        this.aborted = events.select(FinalizationAborted.class);
        this.mainView = watch(delegate.main());
    }

    /** Registers the finalization-requested listener and caches the view of a new interpreter. */
    private InterpreterView watch(Interpreter interpreter) {
        InterpreterView view = guards.viewOf(interpreter);
        views.put(interpreter.name(), view);
        try {
            delegate.onFinalizationRequested(interpreter, () -> requested.fire(new FinalizationRequested(interpreter)));
        } catch (InterpreterFinalizingException e) {
            // Already past its point of no return: there is nothing left to request.
        }
        return view;
    }

    /**
     * The view {@link Attached @Attached(name)} attaches through: of the main interpreter
     * for {@code ""}, else of the newest interpreter created with that name.
     *
     * @throws IllegalStateException if no interpreter of that name was ever created here
     */
    InterpreterView view(String name) {
        if (name.isEmpty()) {
            return mainView;
        }
        InterpreterView v = views.get(name);
        if (v == null) {
            throw new IllegalStateException("@Attached(\"" + name + "\"): no interpreter named \"" + name
                    + "\" was created in this runtime; live interpreters: " + delegate.interpreters());
        }
        return v;
    }

    @Override
    public Interpreter create(String name) {
        Interpreter interpreter = delegate.create(name);
        watch(interpreter);
        return interpreter;
    }

    @Override
    public FinalizationReport shutdown(Interpreter interpreter) {
        Objects.requireNonNull(interpreter, "interpreter");
        try {
            FinalizationReport report = delegate.shutdown(interpreter);
            fireFinalized(report);
            return report;
        } catch (FinalizationAbortedException e) {
            fireFinalized(e.report()); // subinterpreters finalized before main's abort (F3)
            aborted.fire(new FinalizationAborted(e.report()));
            throw e;
        }
    }

    @Override
    public FinalizationReport shutdown() {
        return shutdown(delegate.main());
    }

    /** Fires InterpreterFinalized for each completed finalization in the report, subinterpreters first. */
    private void fireFinalized(FinalizationReport report) {
        report.subinterpreters().forEach(this::fireFinalized);
        if (report.outcome() == FinalizationReport.Outcome.COMPLETED && finalizedFired.add(report.interpreterId())) {
            finalized.fire(new InterpreterFinalized(report));
        }
    }

    @Override public Interpreter main() { return delegate.main(); }
    @Override public Optional<Interpreter> lookup(long id) { return delegate.lookup(id); }
    @Override public List<Interpreter> interpreters() { return delegate.interpreters(); }
    @Override public void atExit(Interpreter interpreter, Runnable hook) { delegate.atExit(interpreter, hook); }

    @Override
    public void onFinalizationRequested(Interpreter interpreter, Runnable listener) {
        delegate.onFinalizationRequested(interpreter, listener);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
