package dev.vigil.cdi;

import jakarta.enterprise.inject.Stereotype;
import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interpreter name of each {@link Attached} method, read from its interceptor binding
 * once per target class and method: finding the binding costs more than the attach itself,
 * so {@link AttachedInterceptor} must not do it per call.
 *
 * <p>Implementation notes. Works on Jakarta EE 10 (interceptor API 2.1) and 11 (2.2) alike:
 * it never calls {@code InvocationContext.getInterceptorBinding(Class)}, which is new in
 * interceptor API 2.2 and fails with {@code NoSuchMethodError} on EE 10 servers (Payara 6,
 * Weld 5). The binding comes from, in order:
 * <ol>
 * <li>the bindings the container resolved for this invocation, where it publishes them in the
 *     context data (Weld 5 and 6 under {@value #WELD_BINDINGS}, Quarkus ArC under
 *     {@value #ARC_BINDINGS}): exact, including bindings a portable extension added or
 *     changed on the annotated type;</li>
 * <li>else the annotations, resolved as CDI resolves interceptor bindings: the method's own
 *     {@code @Attached}, directly or through a stereotype (transitively); else the first class
 *     from the target's class up whose declarations carry it, directly or through a
 *     stereotype — {@code @Attached} is {@code @Inherited}, and the target may be a
 *     container-made subclass of the bean class.</li>
 * </ol>
 * A method-level binding wins over a class-level one (CDI 4 §9.5.2). Keyed by the target's
 * class, then the method: a class-level binding is inherited, so two subclasses may name
 * different interpreters for one inherited method. One instance per container (held by
 * {@link CdiRuntime}), so that bindings one container resolved never reach another, and the
 * cache goes with its container. Thread-safe.
 */
final class AttachedNames {

    /** Weld's context-data key of the invocation's interceptor bindings ({@code WeldInvocationContext}). */
    static final String WELD_BINDINGS = "org.jboss.weld.interceptor.bindings";
    /** Quarkus ArC's context-data key of the invocation's interceptor bindings. */
    static final String ARC_BINDINGS = "io.quarkus.arc.interceptorBindings";

    private final ClassValue<ConcurrentHashMap<Method, String>> byTargetClass = new ClassValue<>() {
        @Override
        protected ConcurrentHashMap<Method, String> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    /**
     * The {@link Attached#value()} that applies to this invocation.
     *
     * @throws IllegalStateException if neither the container nor the annotations bind
     *         {@code @Attached} to the invoked method (the interceptor was bound some other way)
     */
    String of(InvocationContext invocation) {
        Class<?> targetClass = invocation.getTarget().getClass();
        ConcurrentHashMap<Method, String> names = byTargetClass.get(targetClass);
        Method method = invocation.getMethod();
        String name = names.get(method);
        if (name == null) {
            name = fromContextData(invocation)
                    .or(() -> fromAnnotations(method, targetClass))
                    .orElseThrow(() -> new IllegalStateException("@Attached interceptor called for "
                            + method.getDeclaringClass().getName() + "." + method.getName()
                            + ", which carries no @Attached binding (on the method, its class or a stereotype)"))
                    .value();
            names.put(method, name);
        }
        return name;
    }

    private static Optional<Attached> fromContextData(InvocationContext invocation) {
        Optional<Attached> found = attachedIn(invocation.getContextData().get(WELD_BINDINGS));
        return found.isPresent() ? found : attachedIn(invocation.getContextData().get(ARC_BINDINGS));
    }

    private static Optional<Attached> attachedIn(Object bindings) {
        if (bindings instanceof Iterable<?> set) {
            for (Object binding : set) {
                if (binding instanceof Attached attached) {
                    return Optional.of(attached);
                }
            }
        }
        return Optional.empty();
    }

    /** The binding as CDI derives it from the annotations: method first, then the class hierarchy. */
    private static Optional<Attached> fromAnnotations(Method method, Class<?> targetClass) {
        Optional<Attached> onMethod = declared(method, new HashSet<>());
        if (onMethod.isPresent()) {
            return onMethod;
        }
        for (Class<?> c = targetClass; c != null && c != Object.class; c = c.getSuperclass()) {
            Optional<Attached> onClass = declared(c, new HashSet<>());
            if (onClass.isPresent()) {
                return onClass;
            }
        }
        return Optional.empty();
    }

    /** {@code @Attached} declared on the element, or on a stereotype it declares (transitively; cycles cut). */
    private static Optional<Attached> declared(AnnotatedElement element, Set<Class<?>> seenStereotypes) {
        Attached direct = element.getDeclaredAnnotation(Attached.class);
        if (direct != null) {
            return Optional.of(direct);
        }
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            Class<? extends Annotation> type = annotation.annotationType();
            if (type.isAnnotationPresent(Stereotype.class) && seenStereotypes.add(type)) {
                Optional<Attached> inStereotype = declared(type, seenStereotypes);
                if (inStereotype.isPresent()) {
                    return inStereotype;
                }
            }
        }
        return Optional.empty();
    }
}
