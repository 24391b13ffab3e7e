package dev.vigil.policy.failfast;

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
 * The OSGi face of {@link FailFastPolicy}: a Declarative Services component, configured by
 * the Configuration Admin PID {@value #PID} (optional; described by metatype), that registers
 * the configured policy as a {@link FinalizationPolicy} service with
 * {@code vigil.policy.name=fail-fast}.
 *
 * <p>Configuration (P6). Policies are immutable, so the component registers the configured
 * instance itself rather than being the service. A changed configuration registers the newly
 * configured instance first and then unregisters the previous one, so a runtime that tracks
 * policies by name replaces {@code fail-fast} in one step and is never left without it. A
 * component cannot veto a configuration, so a bad value is refused here: the reason is
 * logged through {@link System.Logger} (logger {@value #PID}, level {@code WARNING}; the JDK's
 * platform logging, no OSGi LogService needed) and the previously configured instance keeps
 * being served. A bad value at activation leaves the defaults in force, logged the same way.
 *
 * <p>The life cycle is the same as that of {@code TimedInterruptComponent in the timed-interrupt bundle}: each policy bundle
 * carries its own, because bundles share only the API and SPI packages.
 */
// The service is registered by hand (see above), so bnd cannot see it: declared for resolvers.
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"dev.vigil.spi.FinalizationPolicy\"",
        uses = FinalizationPolicy.class)
@Component(service = {}, immediate = true, configurationPid = FailFastComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = FailFastComponent.Config.class)
public final class FailFastComponent {

    /** The Configuration Admin PID of this policy's options. */
    public static final String PID = "dev.vigil.policy.fail-fast";

    /** The options of the PID {@value #PID}, as metatype describes them. */
    @ObjectClassDefinition(id = PID, name = "Vigil policy: fail-fast",
            description = "Finalization policy that aborts a shutdown still waiting on open guards or "
                    + "running non-daemon threads after a short grace, aborts at once on an interrupt "
                    + "(Ctrl-C) and fails late attaches (DESIGN.md P3).")
    public @interface Config {
        /** The longest a shutdown waits before it aborts. */
        @AttributeDefinition(name = "grace", description = "How long a shutdown waits on open guards and "
                + "running non-daemon threads before it aborts: 500ms, 2s, 1m or ISO-8601 such as PT2S.")
        String grace() default "100ms";
    }

    private static final System.Logger LOG = System.getLogger(PID);

    private BundleContext context;
    private FailFastPolicy served;
    private ServiceRegistration<FinalizationPolicy> registration;

    /** Made by Declarative Services. */
    public FailFastComponent() {
    }

    @Activate
    synchronized void activate(BundleContext bundleContext, Config config) {
        this.context = bundleContext;
        this.served = new FailFastPolicy();
        this.registration = register(configure(config));
    }

    @Modified
    synchronized void modified(Config config) {
        FailFastPolicy next = configure(config);
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
    private FailFastPolicy configure(Config config) {
        try {
            FailFastPolicy next = new FailFastPolicy().withOptions(Map.of(FailFastPolicy.GRACE, config.grace()));
            return next.options().equals(served.options()) ? served : next;
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "configuration " + PID + " refused, keeping " + served.options() + ": "
                    + e.getMessage());
            return served;
        }
    }

    private ServiceRegistration<FinalizationPolicy> register(FailFastPolicy policy) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("vigil.policy.name", policy.name());
        served = policy;
        return context.registerService(FinalizationPolicy.class, policy, properties);
    }
}
