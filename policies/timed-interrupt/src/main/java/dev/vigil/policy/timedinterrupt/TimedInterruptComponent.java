package dev.vigil.policy.timedinterrupt;

import dev.vigil.spi.FinalizationPolicy;
import java.lang.System.Logger.Level;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The OSGi face of {@link TimedInterruptPolicy}: a Declarative Services component, configured by
 * the Configuration Admin PID {@value #PID} (optional; described by metatype), that registers
 * the configured policy as a {@link FinalizationPolicy} service with
 * {@code vigil.policy.name=timed-interrupt}.
 *
 * <p>Configuration (P6). Policies are immutable, so the component registers the configured
 * instance itself rather than being the service. A changed configuration registers the newly
 * configured instance first and then unregisters the previous one, so a runtime that tracks
 * policies by name replaces {@code timed-interrupt} in one step and is never left without it. A
 * component cannot veto a configuration, so a bad value is refused here: the reason is
 * logged through {@link System.Logger} (logger {@value #PID}, level {@code WARNING}; the JDK's
 * platform logging, no OSGi LogService needed) and the previously configured instance keeps
 * being served. A bad value at activation leaves the defaults in force, logged the same way.
 *
 * <p>The life cycle is the same as that of {@code FailFastComponent in the fail-fast bundle}: each policy bundle
 * carries its own, because bundles share only the API and SPI packages.
 */
// The service is registered by hand (see above), so bnd cannot see it: declared for resolvers.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.vigil.spi.FinalizationPolicy\"",
        uses = FinalizationPolicy.class)
@Component(service = {}, immediate = true, configurationPid = TimedInterruptComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TimedInterruptComponent.Config.class)
public final class TimedInterruptComponent {

    /** The Configuration Admin PID of this policy's options. */
    public static final String PID = "dev.vigil.policy.timed-interrupt";

    /** The options of the PID {@value #PID}, as metatype describes them. */
    @ObjectClassDefinition(id = PID, name = "Vigil policy: timed-interrupt",
            description = "Finalization policy that waits up to a timeout on open guards and running "
                    + "non-daemon threads, then interrupts their threads and aborts if they do not let go "
                    + "within a grace; reclaims leaked guards (DESIGN.md P3). Durations: 500ms, 2s, 1m or "
                    + "ISO-8601 such as PT2S.")
    public @interface Config {
        /** How long a shutdown waits before the holders are interrupted. */
        @AttributeDefinition(name = "timeout", description = "How long a shutdown waits on open guards and "
                + "running non-daemon threads before their threads are interrupted; also how long a late "
                + "attach parks before it fails.")
        String timeout() default "5s";

        /** How long a shutdown waits after interrupting the holders before it aborts. */
        @AttributeDefinition(name = "interruptGrace", description = "How long a shutdown waits after "
                + "interrupting the holders' threads before it aborts.")
        String interruptGrace() default "1s";

        /** How long from the start of a wait an interrupt (Ctrl-C) is ignored. */
        @AttributeDefinition(name = "interruptDelay", description = "How long from the start of a wait an "
                + "interrupt (Ctrl-C) is ignored, with a notice; a later one interrupts the holders at once.")
        String interruptDelay() default "1s";
    }

    private static final System.Logger LOG = System.getLogger(PID);

    private BundleContext context;
    private TimedInterruptPolicy served;
    private ServiceRegistration<FinalizationPolicy> registration;

    /** Made by Declarative Services. */
    public TimedInterruptComponent() {
    }

    @Activate
    synchronized void activate(BundleContext bundleContext, Config config) {
        this.context = bundleContext;
        this.served = new TimedInterruptPolicy();
        this.registration = register(configure(config));
    }

    @Modified
    synchronized void modified(Config config) {
        TimedInterruptPolicy next = configure(config);
        if (next != served) {
            ServiceRegistration<FinalizationPolicy> previous = registration;
            registration = register(next);
            previous.unregister();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        registration.unregister();
    }

    /** The policy configured with {@code config}; the served one if refused or unchanged. */
    private TimedInterruptPolicy configure(Config config) {
        try {
            TimedInterruptPolicy next = new TimedInterruptPolicy().withOptions(Map.of(
                    TimedInterruptPolicy.TIMEOUT, config.timeout(),
                    TimedInterruptPolicy.INTERRUPT_GRACE, config.interruptGrace(),
                    TimedInterruptPolicy.INTERRUPT_DELAY, config.interruptDelay()));
            return next.options().equals(served.options()) ? served : next;
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "configuration " + PID + " refused, keeping " + served.options() + ": "
                    + e.getMessage());
            return served;
        }
    }

    private ServiceRegistration<FinalizationPolicy> register(TimedInterruptPolicy policy) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("vigil.policy.name", policy.name());
        served = policy;
        return context.registerService(FinalizationPolicy.class, policy, properties);
    }
}
