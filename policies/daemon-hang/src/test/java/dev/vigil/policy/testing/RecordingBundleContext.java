package dev.vigil.policy.testing;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A {@link BundleContext} that only records service registrations, for testing a policy
 * component's life cycle (activate, modified, deactivate) outside a framework. Any other
 * method throws {@link UnsupportedOperationException}. The in-framework tests live in
 * {@code integration-tests/osgi}.
 */
public final class RecordingBundleContext {

    /** One registration: the service object, its properties, and whether it was unregistered. */
    public static final class Registration {
        public final String objectClass;
        public final Object service;
        public final Map<String, Object> properties;
        private volatile boolean unregistered;

        Registration(String objectClass, Object service, Map<String, Object> properties) {
            this.objectClass = objectClass;
            this.service = service;
            this.properties = properties;
        }

        public boolean isUnregistered() {
            return unregistered;
        }

        @Override
        public String toString() {
            return objectClass + " " + service + " " + properties + (unregistered ? " (unregistered)" : "");
        }
    }

    private final List<Registration> registrations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final BundleContext context = (BundleContext) Proxy.newProxyInstance(
            BundleContext.class.getClassLoader(), new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("registerService") && args.length == 3) {
                    Object clazz = args[0];
                    String name = clazz instanceof Class<?> c ? c.getName() : String.valueOf(clazz);
                    return register(name, args[1], (Dictionary<?, ?>) args[2]);
                }
                if (method.getName().equals("toString")) {
                    return "RecordingBundleContext" + registrations;
                }
                throw new UnsupportedOperationException(method.toString());
            });

    /** The context to hand to the component. */
    public BundleContext context() {
        return context;
    }

    /** All registrations so far, in order. */
    public List<Registration> registrations() {
        synchronized (registrations) {
            return List.copyOf(registrations);
        }
    }

    /** What happened, in order: {@code "register #n"} and {@code "unregister #n"}, n counting from 1. */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The registrations not unregistered. */
    public List<Registration> live() {
        List<Registration> live = new ArrayList<>();
        for (Registration r : registrations()) {
            if (!r.isUnregistered()) {
                live.add(r);
            }
        }
        return live;
    }

    private ServiceRegistration<?> register(String objectClass, Object service, Dictionary<?, ?> properties) {
        Map<String, Object> props = new java.util.LinkedHashMap<>();
        for (var keys = properties.keys(); keys.hasMoreElements(); ) {
            Object k = keys.nextElement();
            props.put(String.valueOf(k), properties.get(k));
        }
        Registration r = new Registration(objectClass, service, Map.copyOf(props));
        int number;
        synchronized (registrations) {
            registrations.add(r);
            number = registrations.size();
        }
        events.add("register #" + number);
        return (ServiceRegistration<?>) Proxy.newProxyInstance(ServiceRegistration.class.getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("unregister")) {
                        if (r.unregistered) {
                            throw new IllegalStateException("already unregistered: " + r);
                        }
                        r.unregistered = true;
                        events.add("unregister #" + number);
                        return null;
                    }
                    if (method.getName().equals("toString")) {
                        return "registration of " + r;
                    }
                    throw new UnsupportedOperationException(method.toString());
                });
    }
}
