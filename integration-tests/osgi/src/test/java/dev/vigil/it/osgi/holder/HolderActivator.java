package dev.vigil.it.osgi.holder;

import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.InterpreterView;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The activator of a tiny test bundle ({@link HolderBundle} packs it): on start it takes a
 * guard on the interpreter named {@value #INTERPRETER} through its own
 * {@code InterpreterGuards} service object, and on stop it does not close it — a bundle that
 * stops while holding a guard. The guard stays reachable (a static field) so that it is not
 * reported as a leak meanwhile.
 */
public final class HolderActivator implements BundleActivator {

    /** The interpreter the bundle guards. */
    public static final String INTERPRETER = "tenant";

    @SuppressWarnings("unused") // kept reachable on purpose, see above
    private static volatile InterpreterGuard held;

    @Override
    public void start(BundleContext context) {
        InterpreterRegistry registry = context.getService(context.getServiceReference(InterpreterRegistry.class));
        ServiceReference<InterpreterGuards> ref = context.getServiceReference(InterpreterGuards.class);
        InterpreterGuards guards = context.getService(ref);
        Interpreter tenant = registry.interpreters().stream().filter(i -> i.name().equals(INTERPRETER))
                .findFirst().orElseThrow(() -> new IllegalStateException("no interpreter " + INTERPRETER));
        try (InterpreterView view = guards.viewOf(tenant)) {
            held = guards.fromView(view).orElseThrow(() -> new IllegalStateException(INTERPRETER + " is finalizing"));
        }
    }

    @Override
    public void stop(BundleContext context) {
        // Deliberately leaves the guard open.
    }
}
