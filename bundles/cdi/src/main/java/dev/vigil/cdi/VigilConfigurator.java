package dev.vigil.cdi;

import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import dev.vigil.spi.FinalizationPolicy;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * CDI event: configures the runtime the extension is about to build. Observe it to choose the
 * policy and set options in code:
 *
 * <pre>{@code
 * void configure(@Observes VigilConfigurator vigil) {
 *     vigil.policy("fail-fast").option("fail-fast.grace", "200ms");
 * }
 * }</pre>
 *
 * <p>Without observers the runtime is configured as {@code Vigil.builder()} configures it:
 * the policy from the system property {@code vigil.policy} (else the highest-ranked policy
 * found on the class path, else {@code daemon-hang}), options from {@code vigil.diagnostics},
 * {@code vigil.signals} and {@code vigil.policy.<policy>.<option>}; what observers set wins.
 *
 * <p>Fired once, synchronously, while the container validates the deployment
 * ({@code AfterDeploymentValidation}), before the runtime exists: observers must not use
 * Vigil's beans. Values are checked when the runtime is built; a bad one fails the
 * deployment with the {@link IllegalArgumentException} that names it. Not thread-safe; valid
 * only during its observers.
 */
public final class VigilConfigurator {

    private final Vigil.Builder builder;
    private Consumer<String> notices = text -> System.getLogger("dev.vigil.cdi").log(System.Logger.Level.WARNING, text);

    VigilConfigurator(Vigil.Builder builder) {
        this.builder = builder;
    }

    /** Activates the named policy (P1); the deployment fails if it is not available. */
    public VigilConfigurator policy(String name) {
        builder.policy(name);
        return this;
    }

    /** Installs and activates this policy instance. */
    public VigilConfigurator policy(FinalizationPolicy policy) {
        builder.policy(policy);
        return this;
    }

    /**
     * Sets an option (P6), as {@link Vigil.Builder#option(String, String)} does:
     * {@code "<policy>.<option>"}, {@code "vigil.diagnostics"} or {@code "vigil.signals"}.
     */
    public VigilConfigurator option(String key, String value) {
        builder.option(key, value);
        return this;
    }

    /**
     * Where the runtime's notices and reports go (and the extension's own, such as an aborted
     * shutdown at container shutdown); default the platform logging ({@link System.Logger}; the
     * extension's own under logger {@code dev.vigil.cdi}).
     */
    public VigilConfigurator notices(Consumer<String> sink) {
        this.notices = Objects.requireNonNull(sink, "sink");
        builder.notices(sink);
        return this;
    }

    Consumer<String> notices() {
        return notices;
    }

    /** Builds the runtime as configured; see {@link Vigil.Builder#build()} for what it throws. */
    VigilRuntime build() {
        return builder.build();
    }
}
