package dev.vigil.api;

import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.kernel.GuardsProvider;
import dev.vigil.spi.kernel.Kernel;
import dev.vigil.spi.kernel.KernelConfig;
import dev.vigil.spi.kernel.KernelProvider;
import dev.vigil.spi.kernel.LogSink;
import dev.vigil.spi.kernel.ThreadStatesProvider;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * The plain-Java (and CDI) entry point: {@code Vigil.builder().policy("fail-fast").build()}.
 * The implementations are found with {@link ServiceLoader}, so the same jars work on the
 * class path, on the module path and as OSGi bundles (where Declarative Services is the usual
 * way in instead).
 */
public final class Vigil {

    private Vigil() {
    }

    /** A new builder with the defaults: policy from {@code vigil.policy}, else {@code daemon-hang}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Configures and builds a runtime. Not thread-safe; each {@link #build()} makes an
     * independent runtime.
     */
    public static final class Builder {
        private String policyName;
        private FinalizationPolicy policy;
        private final Map<String, String> options = new LinkedHashMap<>();
        private Consumer<String> notices;

        private Builder() {
        }

        /** Activates the named policy (P1); {@link #build()} fails if it is not available. */
        public Builder policy(String name) {
            Objects.requireNonNull(name, "name");
            this.policyName = name;
            this.policy = null;
            return this;
        }

        /** Installs and activates this policy instance. */
        public Builder policy(FinalizationPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            this.policyName = null;
            return this;
        }

        /**
         * Sets an option (P6): {@code "<policy>.<option>"} for a policy option, e.g.
         * {@code option("timed-interrupt.timeout", "500ms")}; {@code "vigil.diagnostics"}
         * ({@code off}, {@code simple}, {@code full}); {@code "vigil.signals"} ({@code true}
         * installs SIGINT/SIGTERM handlers, S1); {@code "vigil.progress"} (a duration such as
         * {@code 5s}, the default, or {@code off}: how often a waiting shutdown logs what it
         * waits on); {@code "vigil.jmx"} ({@code true}, the default: the runtime's MXBean
         * {@code dev.vigil:type=Runtime}). Builder options win over system properties.
         * Values are checked by {@link #build()}.
         */
        public Builder option(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            options.put(key, value);
            return this;
        }

        /**
         * Where notices, warnings and reports go, as text. By default they go through the
         * platform's logging ({@link System.Logger}, loggers {@code dev.vigil.finalization},
         * {@code dev.vigil.leak}, {@code dev.vigil.policy}, {@code dev.vigil.signals},
         * {@code dev.vigil.progress}), so java.util.logging or an SLF4J/Log4j bridge shows them.
         */
        public Builder notices(Consumer<String> sink) {
            this.notices = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Builds an independent runtime.
         *
         * @throws IllegalArgumentException for an unknown policy name or a bad option value
         * @throws IllegalStateException if an implementation bundle is not on the class path
         */
        public VigilRuntime build() {
            KernelConfig config = new KernelConfig(policyName, policy, options,
                    notices != null ? LogSink.of(notices) : LogSink.platform(), System.getProperties());
            Kernel kernel = load(KernelProvider.class, "vigil-registry").create(config);
            try {
                ThreadStates threadStates = load(ThreadStatesProvider.class, "vigil-threadstate").create(kernel);
                InterpreterGuards guards = load(GuardsProvider.class, "vigil-guards").create(kernel, threadStates);
                return new AssembledRuntime(kernel, guards, threadStates);
            } catch (RuntimeException | Error e) {
                kernel.dispose();
                throw e;
            }
        }

        private static <T> T load(Class<T> type, String artifact) {
            ClassLoader tccl = Thread.currentThread().getContextClassLoader();
            Iterator<T> it = ServiceLoader.load(type, tccl != null ? tccl : Vigil.class.getClassLoader()).iterator();
            if (!it.hasNext()) {
                it = ServiceLoader.load(type, Vigil.class.getClassLoader()).iterator();
            }
            if (!it.hasNext()) {
                throw new IllegalStateException("no " + type.getSimpleName() + " found by ServiceLoader: put "
                        + "dev.vigil:" + artifact + " on the class path");
            }
            return it.next();
        }
    }

    /** The runtime {@link Builder#build()} assembles from the three implementation bundles. */
    private static final class AssembledRuntime implements VigilRuntime {
        private final Kernel kernel;
        private final InterpreterGuards guards;
        private final ThreadStates threadStates;

        AssembledRuntime(Kernel kernel, InterpreterGuards guards, ThreadStates threadStates) {
            this.kernel = kernel;
            this.guards = guards;
            this.threadStates = threadStates;
        }

        @Override public InterpreterRegistry registry() { return kernel.registry(); }
        @Override public InterpreterGuards guards() { return guards; }
        @Override public ThreadStates threadStates() { return threadStates; }
        @Override public Policies policies() { return kernel.policies(); }
        @Override public boolean interrupt() { return kernel.interrupt(); }

        @Override
        public void close() {
            kernel.registry().shutdown();
            kernel.dispose();
        }

        @Override
        public String toString() {
            return "VigilRuntime#" + kernel.runtimeId() + "[policy=" + kernel.policies().active() + "]";
        }
    }
}
