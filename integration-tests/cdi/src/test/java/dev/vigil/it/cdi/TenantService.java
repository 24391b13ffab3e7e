package dev.vigil.it.cdi;

import dev.vigil.api.Interpreter;
import dev.vigil.api.ThreadStates;
import dev.vigil.cdi.Attached;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application-scoped service whose methods run attached to the subinterpreter named
 * {@link #TENANT} (or to the main interpreter), counting the method bodies that ran.
 */
@ApplicationScoped
public class TenantService {

    /** The subinterpreter the tests create and finalize, again and again. */
    public static final String TENANT = "tenant";

    @Inject
    ThreadStates threadStates;

    private final AtomicInteger bodiesRun = new AtomicInteger();

    /** The name of the interpreter the body runs attached to. */
    @Attached(TENANT)
    public String whereAmI() {
        bodiesRun.incrementAndGet();
        return attachedTo();
    }

    /** The same, attached to the main interpreter. */
    @Attached
    public String whereAmIOnMain() {
        bodiesRun.incrementAndGet();
        return attachedTo();
    }

    /** Holds the call, and so a guard of the tenant (G3), until the gate is released. */
    @Attached(TENANT)
    public String hold(Gate gate) {
        bodiesRun.incrementAndGet();
        return gate.hold();
    }

    /** Attached to an interpreter that was never created. */
    @Attached("no-such-interpreter")
    public void nowhere() {
        bodiesRun.incrementAndGet();
    }

    /** How many method bodies ran. */
    public int bodiesRun() {
        return bodiesRun.get();
    }

    private String attachedTo() {
        return threadStates.current().map(Interpreter::name).orElse("<not attached>");
    }
}
