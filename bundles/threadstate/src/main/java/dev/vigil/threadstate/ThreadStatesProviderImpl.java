package dev.vigil.threadstate;

import dev.vigil.api.ThreadStates;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.ThreadStatesProvider;

/** The thread-state bundle's entry for {@code Vigil.builder()} (found by {@link java.util.ServiceLoader}). */
public final class ThreadStatesProviderImpl implements ThreadStatesProvider {

    @Override
    public ThreadStates create(Kernel kernel) {
        ThreadStateManager m = new ThreadStateManager(kernel);
        kernel.bindThreadBinder(m);
        return m;
    }
}
