package dev.vigil.registry.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The metatype of the Configuration Admin PID {@value RegistryComponent#PID} (P4, P6): what
 * an operator may set for the runtime the registry bundle hosts. Read by
 * {@link RegistryComponent}, which accepts the same keys and values.
 */
@ObjectClassDefinition(id = RegistryComponent.PID, name = "Vigil runtime",
        description = "The interpreter runtime hosted by the Vigil registry bundle: its active "
                + "finalization policy, its guard diagnostics, its signal handlers, progress lines and MXBean.")
@interface RuntimeConfiguration {

    /** The active policy by name; empty lets {@code service.ranking} decide (P1, P4). */
    @AttributeDefinition(name = "Policy", required = false,
            description = "Name of the finalization policy to activate now (daemon-hang, fail-fast, "
                    + "timed-interrupt or any installed policy); a waiting shutdown re-decides at once. "
                    + "Empty: the highest service.ranking decides, else the built-in daemon-hang. "
                    + "An unknown name is refused and the previous choice stays.")
    String policy() default "";

    /** Guard bookkeeping (G6); read when the runtime starts. */
    @AttributeDefinition(name = "Diagnostics", description = "Guard bookkeeping: off (counts only), "
            + "simple (holder thread and age, leak detection) or full (plus the creation stack). "
            + "Takes effect when the registry bundle next starts.",
            options = {@Option(value = "off", label = "off"), @Option(value = "simple", label = "simple"),
                @Option(value = "full", label = "full")})
    String diagnostics() default "simple";

    /** SIGINT/SIGTERM handlers (S1); read when the runtime starts. */
    @AttributeDefinition(name = "Signals", type = AttributeType.BOOLEAN,
            description = "Install SIGINT/SIGTERM handlers: the first signal shuts the runtime down "
                    + "under the active policy and exits the process (0 completed, 3 aborted); a "
                    + "further SIGINT interrupts the wait. Takes effect when the registry bundle next starts.")
    boolean signals() default false;

    /** How often a waiting shutdown logs what it waits on (DESIGN.md §7); read when the runtime starts. */
    @AttributeDefinition(name = "Progress", description = "How often a shutdown that waits on guards or "
            + "threads logs one line saying what it waits on, the policy and what an interrupt would do: "
            + "a duration (500ms, 5s, 1m, PT5S) or off. Takes effect when the registry bundle next starts.")
    String progress() default "5s";

    /** The runtime's MXBean dev.vigil:type=Runtime; read when the runtime starts. */
    @AttributeDefinition(name = "JMX", type = AttributeType.BOOLEAN, description = "Register the runtime's "
            + "MXBean dev.vigil:type=Runtime,name=... in the platform MBeanServer. Takes effect when the "
            + "registry bundle next starts.")
    boolean jmx() default true;
}
