package dev.vigil.policy.conformance;

import dev.vigil.api.Vigil;
import dev.vigil.policy.testing.ShutdownHarness;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The three policies as the conformance suite runs them: each with short option values (so
 * that what aborts aborts within a fraction of a second) and long ones (so that nothing the
 * test does not provoke happens during it).
 */
enum PolicyCase {

    DAEMON_HANG("daemon-hang", false, null, Map.of(), Map.of()),

    FAIL_FAST("fail-fast", true, "grace",
            Map.of("grace", "200ms"),
            Map.of("grace", "60s")),

    TIMED_INTERRUPT("timed-interrupt", true, "timeout",
            Map.of("timeout", "200ms", "interruptGrace", "200ms", "interruptDelay", "100ms"),
            Map.of("timeout", "60s", "interruptGrace", "60s", "interruptDelay", "60s"));

    /** The policy's name. */
    final String policy;
    /** Whether the policy aborts a shutdown stuck on a guard that never closes. */
    final boolean aborts;
    /** The option that sets the first deadline of a wait, if any. */
    private final String deadlineOption;
    private final Map<String, String> shortOptions;
    private final Map<String, String> longOptions;

    PolicyCase(String policy, boolean aborts, String deadlineOption, Map<String, String> shortOptions,
            Map<String, String> longOptions) {
        this.policy = policy;
        this.aborts = aborts;
        this.deadlineOption = deadlineOption;
        this.shortOptions = shortOptions;
        this.longOptions = longOptions;
    }

    Optional<String> deadlineOption() {
        return Optional.ofNullable(deadlineOption);
    }

    /** The short options with the first deadline set to {@code value}. */
    Map<String, String> quickWithDeadline(String value) {
        Map<String, String> m = new java.util.LinkedHashMap<>(shortOptions);
        m.put(deadlineOption().orElseThrow(), value);
        return m;
    }

    /** A builder with this policy active and its short options. */
    Vigil.Builder quick() {
        return builder(shortOptions);
    }

    /** A builder with this policy active and its long options. */
    Vigil.Builder patient() {
        return builder(longOptions);
    }

    Vigil.Builder builder(Map<String, String> options) {
        Vigil.Builder b = Vigil.builder().policy(policy);
        options.forEach((k, v) -> b.option(policy + "." + k, v));
        return b;
    }

    ShutdownHarness quickHarness() {
        return ShutdownHarness.of(quick());
    }

    ShutdownHarness patientHarness() {
        return ShutdownHarness.of(patient());
    }

    /** Time enough to tell "waits" from "aborts": well past every short option. */
    static final Duration A_WHILE = Duration.ofMillis(600);
}
