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

    /**
     * The process-shutdown handling (S1, S3) of a kernel this provider made, present when it
     * installed signal handlers ({@code vigil.signals=true}); for the registry's OSGi component.
     */
    public static java.util.Optional<Signals> signals(Kernel kernel) {
        return kernel instanceof RegistryKernel k ? java.util.Optional.ofNullable(k.signals()) : java.util.Optional.empty();
    }

    /**
     * Checks a value of option {@code vigil.progress} (a positive duration or {@code off}).
     *
     * @throws IllegalArgumentException naming the option, the value and the accepted forms
     */
    public static void checkProgress(String value) {
        Progress.parseInterval(java.util.Optional.of(value));
    }
}
