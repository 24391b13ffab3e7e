package dev.vigil.cdi;

import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import jakarta.enterprise.event.Event;

/**
 * The container's runtime: a runtime built by {@code Vigil.builder()} whose registry is the
 * {@link CdiRegistry}, so that interpreters created and shut down through any injected bean
 * fire the extension's events.
 */
final class CdiRuntime implements VigilRuntime {

    private final VigilRuntime delegate;
    private final CdiRegistry registry;
    private final AttachedNames attachedNames = new AttachedNames();

    CdiRuntime(VigilRuntime delegate, Event<Object> events) {
        this.delegate = delegate;
        this.registry = new CdiRegistry(delegate.registry(), delegate.guards(), events);
    }

    @Override public CdiRegistry registry() { return registry; }
    AttachedNames attachedNames() { return attachedNames; }
    @Override public InterpreterGuards guards() { return delegate.guards(); }
    @Override public ThreadStates threadStates() { return delegate.threadStates(); }
    @Override public Policies policies() { return delegate.policies(); }
    @Override public boolean interrupt() { return delegate.interrupt(); }

    /** Shuts down through the CDI registry (firing its events), then lets the runtime release what it installed. */
    @Override
    public void close() {
        registry.shutdown();
        delegate.close(); // the shutdown is done: this returns its report at once and disposes
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
