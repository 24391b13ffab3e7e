package dev.vigil.registry;

import dev.vigil.api.Policies;
import dev.vigil.spi.FinalizationPolicy;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policies of one runtime and the one that is active (P1, P4, P6).
 *
 * <p>Mutations are rare (installs, swaps, configuration) and synchronized; reading the active
 * policy is one volatile read, so policy selection adds nothing to the hot paths. Each change
 * of the active policy bumps {@link #version()} and wakes waiting shutdowns and parked late
 * attaches, which then re-decide.
 */
final class PolicyHub implements Policies {

    /** An installed policy: as given (to re-configure from) and as configured. */
    private record Installed(FinalizationPolicy base, FinalizationPolicy configured, int ranking) {
    }

    private final Runnable onChange;
    private final Map<String, Installed> installed = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> options = new LinkedHashMap<>();
    /** The name chosen by use() or configuration; null when the ranking decides. */
    private String chosen;
    private volatile FinalizationPolicy active = RegistryKernel.BUILT_IN_DEFAULT;
    private volatile int version;

    PolicyHub(Runnable onChange) {
        this.onChange = onChange;
    }

    @Override
    public void use(String name) {
        Objects.requireNonNull(name, "name");
        synchronized (this) {
            if (!installed.containsKey(name) && !name.equals(FinalizationPolicy.DAEMON_HANG)) {
                throw new IllegalArgumentException("no policy named \"" + name + "\"; available: " + available());
            }
            chosen = name;
            reselect();
        }
    }

    /** Forgets the name chosen by {@link #use(String)}: the ranking decides again. */
    synchronized void useRanking() {
        chosen = null;
        reselect();
    }

    @Override
    public String active() {
        return active.name();
    }

    @Override
    public synchronized Set<String> available() {
        Set<String> names = new TreeSet<>(installed.keySet());
        names.add(FinalizationPolicy.DAEMON_HANG);
        return Collections.unmodifiableSet(names);
    }

    FinalizationPolicy activePolicy() {
        return active;
    }

    int version() {
        return version;
    }

    /** The options held for a policy, as last accepted. */
    synchronized Map<String, String> options(String name) {
        return options.getOrDefault(name, Map.of());
    }

    void install(FinalizationPolicy policy, int ranking) {
        Objects.requireNonNull(policy, "policy");
        String name = Objects.requireNonNull(policy.name(), "policy.name()");
        synchronized (this) {
            FinalizationPolicy configured = policy.withOptions(options(name));
            installed.put(name, new Installed(policy, configured, ranking));
            reselect();
        }
    }

    void uninstall(FinalizationPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        synchronized (this) {
            Installed i = installed.get(policy.name());
            if (i != null && i.base() == policy) {
                installed.remove(policy.name());
                reselect();
            }
        }
    }

    /**
     * Replaces a policy's options, all or none; the options are kept for a policy installed
     * later too.
     */
    void configure(String name, Map<String, String> newOptions) {
        Objects.requireNonNull(name, "name");
        Map<String, String> copy = Map.copyOf(Objects.requireNonNull(newOptions, "options"));
        synchronized (this) {
            Installed i = installed.get(name);
            if (i != null) {
                installed.put(name, new Installed(i.base(), i.base().withOptions(copy), i.ranking()));
            } else if (name.equals(FinalizationPolicy.DAEMON_HANG)) {
                RegistryKernel.BUILT_IN_DEFAULT.withOptions(copy);
            }
            options.put(name, copy);
            reselect();
        }
    }

    /** Holds options for a policy not installed yet, checked when it is. */
    synchronized void holdOptions(String name, Map<String, String> held) {
        options.put(name, Map.copyOf(held));
    }

    /**
     * Chooses the active policy: the chosen name if installed; else the highest ranking,
     * daemon-hang first among equals, then by name; else the built-in default.
     */
    private void reselect() {
        FinalizationPolicy next = RegistryKernel.BUILT_IN_DEFAULT;
        Installed byName = chosen == null ? null : installed.get(chosen);
        if (byName != null) {
            next = byName.configured();
        } else if (chosen == null || !chosen.equals(FinalizationPolicy.DAEMON_HANG)) {
            next = installed.values().stream()
                    .max(Comparator.comparingInt(Installed::ranking)
                            .thenComparing(i -> i.base().name().equals(FinalizationPolicy.DAEMON_HANG))
                            .thenComparing(i -> i.base().name(), Comparator.reverseOrder()))
                    .map(Installed::configured)
                    .orElse(RegistryKernel.BUILT_IN_DEFAULT);
        }
        if (next != active) {
            active = next;
            version++;
            onChange.run();
        }
    }
}
