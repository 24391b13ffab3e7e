package dev.vigil.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The options of a policy whose options are all durations, with their defaults (P3, P6).
 * Immutable: {@link #with(Map)} returns a new set or throws, leaving this one as it was.
 */
public final class DurationOptions {

    private final String policy;
    private final Map<String, Duration> values;

    private DurationOptions(String policy, Map<String, Duration> values) {
        this.policy = policy;
        this.values = Collections.unmodifiableMap(values);
    }

    /** The options of {@code policy} with these defaults, in display order. */
    public static DurationOptions of(String policy, Map<String, Duration> defaults) {
        return new DurationOptions(Objects.requireNonNull(policy, "policy"), new LinkedHashMap<>(defaults));
    }

    /**
     * These options with {@code changes} applied, all or none.
     *
     * @throws IllegalArgumentException naming the policy, option and value, for an unknown
     *         option or a value {@link Durations#parse} refuses
     */
    public DurationOptions with(Map<String, String> changes) {
        Map<String, Duration> next = new LinkedHashMap<>(values);
        for (Map.Entry<String, String> e : changes.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "option name");
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException("policy " + policy + " has no option \"" + key
                        + "\"; its options are " + values.keySet());
            }
            try {
                next.put(key, Durations.parse(Objects.requireNonNull(e.getValue(), key)));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("option " + policy + "." + key + ": " + ex.getMessage(), ex);
            }
        }
        return new DurationOptions(policy, next);
    }

    /** The value of an option. */
    public Duration get(String key) {
        Duration d = values.get(key);
        if (d == null) {
            throw new IllegalArgumentException("policy " + policy + " has no option \"" + key + "\"");
        }
        return d;
    }

    /** The values as {@link Durations#format} writes them, in display order. */
    public Map<String, String> asStrings() {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, Durations.format(v)));
        return Collections.unmodifiableMap(m);
    }
}
