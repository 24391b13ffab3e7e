package dev.vigil.spi.kernel;

import org.osgi.annotation.versioning.ProviderType;

/** Makes kernels; the registry bundle's {@code ServiceLoader} entry. */
@ProviderType
public interface KernelProvider {

    /**
     * @throws IllegalArgumentException for an unknown policy or a bad option value
     */
    Kernel create(KernelConfig config);
}
