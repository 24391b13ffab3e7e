package dev.vigil.guards;

import dev.vigil.api.ThreadStates;
import dev.vigil.spi.kernel.GuardsProvider;
import dev.vigil.spi.kernel.Kernel;

/** The guards bundle's entry for {@code Vigil.builder()} (found by {@link java.util.ServiceLoader}). */
public final class GuardsProviderImpl implements GuardsProvider {

    /** {@inheritDoc} The result is the owner-less facade; {@link Guards#forOwner(String)} attributes. */
    @Override
    public Guards create(Kernel kernel, ThreadStates threadStates) {
        GuardBook book = new GuardBook(kernel);
        kernel.bindGuards(book);
        return new Guards(book, threadStates, null);
    }
}
