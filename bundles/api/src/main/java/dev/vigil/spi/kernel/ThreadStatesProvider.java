package dev.vigil.spi.kernel;

import dev.vigil.api.ThreadStates;
import org.osgi.annotation.versioning.ProviderType;

/** Makes the thread-state manager of a kernel and binds its {@link ThreadBinder}; the
 * thread-state bundle's {@code ServiceLoader} entry. */
@ProviderType
public interface ThreadStatesProvider {

    ThreadStates create(Kernel kernel);
}
