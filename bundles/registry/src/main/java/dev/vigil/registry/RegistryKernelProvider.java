package dev.vigil.registry;

import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.KernelConfig;
import dev.vigil.spi.kernel.KernelProvider;

/** The registry bundle's entry for {@code Vigil.builder()} (found by {@link java.util.ServiceLoader}). */
public final class RegistryKernelProvider implements KernelProvider {

    @Override
    public Kernel create(KernelConfig config) {
        return new RegistryKernel(config);
    }
}
