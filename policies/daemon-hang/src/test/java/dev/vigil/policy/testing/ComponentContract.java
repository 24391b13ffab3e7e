package dev.vigil.policy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.spi.FinalizationPolicy;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;

/**
 * Drives a policy's Declarative Services component through its life cycle outside a framework
 * (as SCR would: activate, modified, deactivate, with a {@link RecordingBundleContext}) and
 * checks the configuration contract (P6) every configurable policy component keeps:
 * <ul>
 * <li>activated, it registers one {@link FinalizationPolicy} service named by
 *     {@code vigil.policy.name}, configured with the annotation's defaults;</li>
 * <li>a good configuration registers the newly configured policy <em>before</em>
 *     unregistering the previous one (a runtime is never left without the policy);</li>
 * <li>a bad value is refused: nothing is registered or unregistered, the previously
 *     configured policy stays served;</li>
 * <li>an unchanged configuration changes nothing;</li>
 * <li>a bad value at activation leaves the defaults served;</li>
 * <li>deactivated, it unregisters.</li>
 * </ul>
 */
public final class ComponentContract {

    private final Class<?> componentType;
    private final Class<?> configType;
    private final RecordingBundleContext bundle = new RecordingBundleContext();
    private final Object component;

    private ComponentContract(Class<?> componentType, Class<?> configType) throws ReflectiveOperationException {
        this.componentType = componentType;
        this.configType = configType;
        this.component = componentType.getConstructor().newInstance();
    }

    /**
     * Checks the contract above for the component {@code componentType} whose configuration
     * annotation is {@code configType}.
     *
     * @param defaults the policy's default options, as {@link FinalizationPolicy#options()} shows them
     * @param good     a valid configuration different from the defaults, and its options as shown
     * @param bad      a configuration with a bad value
     */
    public static void check(Class<?> componentType, Class<?> configType, String policyName,
            Map<String, String> defaults, Map<String, String> good, Map<String, String> goodShown,
            Map<String, String> bad) throws ReflectiveOperationException {
        ComponentContract c = new ComponentContract(componentType, configType);
        c.call("activate", Map.of());
        assertThat(c.bundle.live()).hasSize(1);
        RecordingBundleContext.Registration first = c.bundle.live().get(0);
        assertThat(first.objectClass).isEqualTo(FinalizationPolicy.class.getName());
        assertThat(first.properties).containsEntry("vigil.policy.name", policyName);
        assertThat(c.served().name()).isEqualTo(policyName);
        assertThat(c.served().options()).isEqualTo(defaults);

        c.call("modified", good);
        assertThat(c.served().options()).isEqualTo(goodShown);
        assertThat(c.bundle.events()).containsExactly("register #1", "register #2", "unregister #1");

        FinalizationPolicy before = c.served();
        c.call("modified", bad);
        assertThat(c.served()).as("a refused configuration keeps the previous policy").isSameAs(before);
        assertThat(c.served().options()).isEqualTo(goodShown);
        assertThat(c.bundle.registrations()).hasSize(2);

        c.call("modified", good);
        assertThat(c.bundle.registrations()).as("an unchanged configuration changes nothing").hasSize(2);

        c.call("deactivate", null);
        assertThat(c.bundle.live()).isEmpty();

        ComponentContract badStart = new ComponentContract(componentType, configType);
        badStart.call("activate", bad);
        assertThat(badStart.served().options()).as("a bad value at activation leaves the defaults").isEqualTo(defaults);
    }

    private FinalizationPolicy served() {
        List<RecordingBundleContext.Registration> live = bundle.live();
        assertThat(live).hasSize(1);
        return (FinalizationPolicy) live.get(0).service;
    }

    private void call(String methodName, Map<String, String> config) throws ReflectiveOperationException {
        Method m = find(methodName);
        m.setAccessible(true);
        Object[] args = new Object[m.getParameterCount()];
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            if (types[i] == BundleContext.class) {
                args[i] = bundle.context();
            } else if (types[i] == configType) {
                args[i] = Configs.of(configType, config);
            } else {
                throw new AssertionError("unexpected parameter " + types[i] + " of " + m);
            }
        }
        try {
            m.invoke(component, args);
        } catch (InvocationTargetException e) {
            throw new AssertionError(methodName + " threw", e.getCause());
        }
    }

    private Method find(String name) {
        for (Method m : componentType.getDeclaredMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new AssertionError(componentType.getName() + " has no method " + name);
    }
}
