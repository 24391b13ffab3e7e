package dev.vigil.policy.testing;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Instances of a component's configuration annotation, as Declarative Services makes them from
 * a Configuration Admin configuration: given values, else the annotation's defaults.
 */
public final class Configs {

    private Configs() {
    }

    /** A configuration of {@code type} with {@code values}; other attributes keep their defaults. */
    public static <A> A of(Class<A> type, Map<String, String> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            String name = method.getName();
            if (values.containsKey(name)) {
                return values.get(name);
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            if (name.equals("toString")) {
                return type.getSimpleName() + values;
            }
            if (name.equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            if (name.equals("equals")) {
                return proxy == args[0];
            }
            throw new UnsupportedOperationException(method.toString());
        }));
    }
}
