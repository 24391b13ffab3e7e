package dev.vigil.cdi;

import jakarta.interceptor.InvocationContext;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interpreter name of each {@link Attached} method, read from its interceptor binding
 * once: {@code InvocationContext.getInterceptorBinding} costs more in Weld (about 150 ns) than
 * the attach itself, so {@link AttachedInterceptor} must not call it per call.
 *
 * <p>Keyed by the target's class, then the method: a class-level binding is inherited, so two
 * subclasses may name different interpreters for one inherited method. One instance per
 * container (held by {@link CdiRuntime}), so that bindings a portable extension changed in
 * one container never reach another, and the cache goes with its container. Thread-safe.
 */
final class AttachedNames {

    private final ClassValue<ConcurrentHashMap<Method, String>> byTargetClass = new ClassValue<>() {
        @Override
        protected ConcurrentHashMap<Method, String> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /** The {@link Attached#value()} that applies to this invocation. */
    String of(InvocationContext invocation) {
        ConcurrentHashMap<Method, String> names = byTargetClass.get(invocation.getTarget().getClass());
        Method method = invocation.getMethod();
        String name = names.get(method);
        if (name == null) {
            name = invocation.getInterceptorBinding(Attached.class).value();
            names.put(method, name);
        }
        return name;
    }
}
