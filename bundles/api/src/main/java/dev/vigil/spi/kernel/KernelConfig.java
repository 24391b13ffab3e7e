package dev.vigil.spi.kernel;

import dev.vigil.spi.FinalizationPolicy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * What {@code Vigil.builder()} (or a container) asks of a new runtime. Immutable.
 *
 * <p>{@link #option(String)} reads a builder option and falls back to the system property
 * of the same key prefixed as DESIGN.md says: {@code vigil.diagnostics} and
 * {@code vigil.signals} as they are, policy options {@code <policy>.<option>} from
 * {@code vigil.policy.<policy>.<option>}.
 *
 * <p>Runtime options besides those: {@code vigil.progress} (a duration, or {@code off}: how
 * often a waiting shutdown logs what it waits on; default 5 s) and {@code vigil.jmx}
 * ({@code true}, the default, or {@code false}: the runtime's MXBean).
 */
public final class KernelConfig {

    private final String policyName;
    private final FinalizationPolicy policy;
    private final Map<String, String> options;
    private final LogSink log;
    private final Properties systemProperties;

    /** A configuration whose notices go, as text only, to {@code notices}. */
    public KernelConfig(String policyName, FinalizationPolicy policy, Map<String, String> options,
            Consumer<String> notices, Properties systemProperties) {
        this(policyName, policy, options, LogSink.of(notices), systemProperties);
    }

    /** A configuration whose notices go to {@code log}, by logger name and level. */
    public KernelConfig(String policyName, FinalizationPolicy policy, Map<String, String> options,
            LogSink log, Properties systemProperties) {
        this.policyName = policyName;
        this.policy = policy;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(options, "options")));
        this.log = Objects.requireNonNull(log, "log");
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
    }

    /** The policy chosen by name: the builder's, else the system property {@code vigil.policy}. */
    public Optional<String> policyName() {
        return Optional.ofNullable(policyName != null ? policyName : systemProperties.getProperty("vigil.policy"));
    }

    /** The policy instance given to the builder, if one was. */
    public Optional<FinalizationPolicy> policy() {
        return Optional.ofNullable(policy);
    }

    /** A runtime option ({@code vigil.diagnostics}, {@code vigil.signals}): builder, else system property. */
    public Optional<String> option(String key) {
        String v = options.get(key);
        return Optional.ofNullable(v != null ? v : systemProperties.getProperty(key));
    }

    /** The options of one policy, keyed without prefix: system properties overlaid by builder options. */
    public Map<String, String> policyOptions(String policyName) {
        Map<String, String> m = new LinkedHashMap<>();
        String sysPrefix = "vigil.policy." + policyName + ".";
        for (String key : systemProperties.stringPropertyNames()) {
            if (key.startsWith(sysPrefix)) {
                m.put(key.substring(sysPrefix.length()), systemProperties.getProperty(key));
            }
        }
        String prefix = policyName + ".";
        options.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(prefix.length()), v);
            }
        });
        return m;
    }

    /** Every builder option key, for checking that each names something. */
    public Map<String, String> options() {
        return options;
    }

    /** Where notices go, as text (logged at {@code INFO} by logger {@code dev.vigil}). */
    public Consumer<String> notices() {
        return text -> log.log("dev.vigil", System.Logger.Level.INFO, text, null);
    }

    /** Where notices, warnings and reports go, by logger name and level. */
    public LogSink log() {
        return log;
    }
}
