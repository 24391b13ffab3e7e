package dev.vigil.threadstate.osgi;

import dev.vigil.api.Detachment;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.spi.kernel.AttachHook;
import dev.vigil.spi.kernel.AttachHooks;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.threadstate.ThreadStatesProviderImpl;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link ThreadStates} service of an OSGi framework (DESIGN.md §1): a Declarative
 * Services component that makes the thread-state manager of the {@link Kernel} service, as
 * {@code Vigil.builder()} does on the class path, and binds it to the kernel (H1). It lives
 * as long as that kernel: when the registry bundle stops or restarts, this component is
 * deactivated and a new one is made for the new kernel. Thread-safe.
 */
@Component(service = ThreadStates.class)
public final class ThreadStatesComponent implements ThreadStates, AttachHooks {

    private final ThreadStates threadStates;

    @Activate
    public ThreadStatesComponent(@Reference(name = "kernel") Kernel kernel) {
        this.threadStates = new ThreadStatesProviderImpl().create(kernel);
    }

    @Override public ThreadStateToken ensure(InterpreterGuard guard) { return threadStates.ensure(guard); }
    @Override public Optional<ThreadStateToken> ensureFromView(InterpreterView view) { return threadStates.ensureFromView(view); }
    @Override public Optional<Interpreter> current() { return threadStates.current(); }
    @Override public Detachment detach() { return threadStates.detach(); }
    @Override public ThreadStateToken legacyEnsure() { return threadStates.legacyEnsure(); }

    // the engine seam (DESIGN.md §6): an engine casts this service to AttachHooks
    @Override public void install(Interpreter interpreter, AttachHook hook) { ((AttachHooks) threadStates).install(interpreter, hook); }
    @Override public void uninstall(Interpreter interpreter) { ((AttachHooks) threadStates).uninstall(interpreter); }

    @Override
    public String toString() {
        return threadStates.toString();
    }
}
