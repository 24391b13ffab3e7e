package dev.vigil.guards.osgi;

import dev.vigil.api.GuardInfo;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The {@link InterpreterGuards} service of an OSGi framework (DESIGN.md §1), bundle scoped:
 * each bundle that gets the service gets its own instance, whose guards and views are
 * attributed to that bundle's symbolic name ({@link GuardInfo#owner()}), so that the guards a
 * shutdown waits on name the bundle holding them (G6, F7). Guards of all bundles are one book
 * ({@link GuardsRoot}): {@link #openGuards()} lists everyone's.
 *
 * <p>When a bundle stops while guards it took are still open, a notice names the bundle and
 * its guards: they keep holding finalization off (G3) until closed, reclaimed as leaks by the
 * policy (P2d), or the shutdown gives up. Thread-safe.
 */
@Component(service = InterpreterGuards.class, scope = ServiceScope.BUNDLE)
public final class BundleGuardsComponent implements InterpreterGuards {

    private final GuardsRoot root;
    private final Bundle user;
    /** The using bundle's symbolic name (its location if it has none). */
    private final String owner;
    private final InterpreterGuards guards;

    @Activate
    public BundleGuardsComponent(@Reference(name = "root") GuardsRoot root, ComponentContext context) {
        this.root = root;
        this.user = context.getUsingBundle();
        this.owner = user.getSymbolicName() != null ? user.getSymbolicName() : user.getLocation();
        this.guards = root.forOwner(owner);
    }

    /**
     * Names the using bundle if it stops while guards it took are open. Not when the service
     * itself goes (kernel gone, guards bundle stopping) or a running bundle ungets it: the
     * guards stay listed, and the runtime's shutdown report names their owner.
     */
    @Deactivate
    void deactivate() {
        if (user.getState() != Bundle.STOPPING) {
            return;
        }
        List<GuardInfo> held = guards.openGuards().stream()
                .filter(g -> g.owner().filter(owner::equals).isPresent()).toList();
        if (!held.isEmpty()) {
            StringBuilder b = new StringBuilder("[vigil] bundle ").append(owner)
                    .append(" stopped while holding ").append(held.size())
                    .append(" open guard(s); they hold finalization off until closed:");
            held.forEach(g -> b.append(System.lineSeparator()).append("  ").append(g));
            root.kernel().notice(b.toString());
        }
    }

    @Override public InterpreterGuard fromCurrent() { return guards.fromCurrent(); }
    @Override public Optional<InterpreterGuard> fromView(InterpreterView view) { return guards.fromView(view); }
    @Override public InterpreterView viewOfCurrent() { return guards.viewOfCurrent(); }
    @Override public InterpreterView viewOfMain() { return guards.viewOfMain(); }
    @Override public InterpreterView viewOf(Interpreter interpreter) { return guards.viewOf(interpreter); }
    @Override public List<GuardInfo> openGuards() { return guards.openGuards(); }

    @Override
    public String toString() {
        return guards.toString();
    }
}
