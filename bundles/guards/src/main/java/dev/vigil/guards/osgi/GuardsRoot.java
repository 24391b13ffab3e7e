package dev.vigil.guards.osgi;

import dev.vigil.api.ThreadStates;
import dev.vigil.guards.Guards;
import dev.vigil.guards.GuardsProviderImpl;
import dev.vigil.spi.kernel.Kernel;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The one guard book of the {@link Kernel} service, shared by every bundle's
 * {@link BundleGuardsComponent}: made as {@code Vigil.builder()} makes it, and bound to the
 * kernel as its guard directory, so that a shutdown lists every bundle's guards (G6).
 *
 * <p>Registered under this class only, which no other bundle can see (its package is
 * private): a bundle-scoped service cannot share one instance between its per-bundle
 * instances, so the shared part is a component of its own. Deactivating it closes the book
 * (its watch thread, its per-thread values) and unbinds it from the kernel. Thread-safe.
 */
@Component(service = GuardsRoot.class)
public final class GuardsRoot {

    private final Kernel kernel;
    private final Guards guards;

    @Activate
    public GuardsRoot(@Reference(name = "kernel") Kernel kernel,
            @Reference(name = "threadStates") ThreadStates threadStates) {
        this.kernel = kernel;
        this.guards = new GuardsProviderImpl().create(kernel, threadStates);
    }

    /**
     * The component goes: the book's leak-watch thread and per-thread values end with it. When
     * this bundle is stopping (stopped, updated, refreshed, uninstalled), the book is also
     * unbound from the kernel, which then keeps nothing of it. Otherwise a reference went —
     * the kernel, when the registry bundle stops and then shuts the runtime down, wanting the
     * open guards listed — and the book stays bound until the kernel's disposal closes it or
     * another book replaces it.
     */
    @Deactivate
    void deactivate(ComponentContext context) {
        guards.closeBook(context.getBundleContext().getBundle().getState() == Bundle.STOPPING);
    }

    /** The kernel the guards belong to. */
    Kernel kernel() {
        return kernel;
    }

    /** A facade whose guards are attributed to {@code owner}. */
    Guards forOwner(String owner) {
        return guards.forOwner(owner);
    }
}
