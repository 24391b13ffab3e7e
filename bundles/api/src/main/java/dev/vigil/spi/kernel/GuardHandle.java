package dev.vigil.spi.kernel;

import dev.vigil.api.InterpreterGuard;
import org.osgi.annotation.versioning.ProviderType;

/** A guard made by the guards bundle, as the thread-state bundle sees it. */
@ProviderType
public interface GuardHandle extends InterpreterGuard {

    /** The guarded interpreter's lifecycle. */
    InterpreterLifecycle lifecycle();
}
