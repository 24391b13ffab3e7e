package dev.vigil.spi.kernel;

import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.ThreadStates;
import org.osgi.annotation.versioning.ProviderType;

/** Makes the guards and views of a kernel and binds its {@link GuardDirectory}; the guards
 * bundle's {@code ServiceLoader} entry. */
@ProviderType
public interface GuardsProvider {

    InterpreterGuards create(Kernel kernel, ThreadStates threadStates);
}
