package dev.vigil.policy.daemonhang;

import dev.vigil.spi.FinalizationPolicy;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * The {@code daemon-hang} finalization policy (DESIGN.md P3, first column), CPython's
 * behaviour: (a) a shutdown waits for ever on open guards and running non-daemon threads;
 * (b) an interrupt prints the report and the wait goes on; (c) a late attach parks for ever,
 * as a CPython daemon thread does; (d) a leaked guard is reported and stays counted. A
 * wait-for cycle (DESIGN.md §5) is reported by the runtime, by name, and the wait goes on
 * (an interrupt still prints the report; swapping in another policy ends it); an atexit hook
 * that does not return is waited for, as CPython waits for its atexit functions, and the
 * report shows which hook runs and for how long.
 *
 * <p>It decides nothing of its own: every decision is {@link FinalizationPolicy}'s default
 * method, which is the built-in default (P1). It exists as a bundle so that it can be started
 * and stopped, and ranked against the other policies, like them (P4). It has no options.
 *
 * <p>Immutable and stateless. Found by {@link java.util.ServiceLoader} in plain Java; in OSGi
 * this class is itself the Declarative Services component that registers it as a
 * {@link FinalizationPolicy} service with {@code vigil.policy.name=daemon-hang}. Its
 * configuration PID {@code dev.vigil.policy.daemon-hang} is optional and has no options:
 * properties in it are ignored.
 */
@Component(service = FinalizationPolicy.class,
        configurationPid = DaemonHangPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "vigil.policy.name=" + FinalizationPolicy.DAEMON_HANG)
public final class DaemonHangPolicy implements FinalizationPolicy {

    /** The Configuration Admin PID of this policy. */
    public static final String PID = "dev.vigil.policy.daemon-hang";

    /** A daemon-hang policy; all instances behave alike. */
    public DaemonHangPolicy() {
    }

    @Override
    public String name() {
        return DAEMON_HANG;
    }

    @Override
    public String toString() {
        return "daemon-hang policy";
    }
}
