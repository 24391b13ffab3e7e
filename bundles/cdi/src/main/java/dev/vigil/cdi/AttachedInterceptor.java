package dev.vigil.cdi;

import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The interceptor of {@link Attached}: ensureFromView, proceed, release (rule T3), or
 * {@link InterpreterFinalizingException} without proceeding when the interpreter is past its
 * point of no return or gone.
 *
 * <p>Per call it takes the interpreter name of the method (read from the binding once, see
 * {@link AttachedNames}) and the cached view of that name (no registry lookup), and makes one
 * {@code ensureFromView}; the release runs in a try-with-resources block on the calling
 * thread, last in first out (T4), whatever the method throws. Added to the deployment by {@link VigilExtension}, so it needs no bean
 * archive of its own.
 */
@Attached
@Interceptor
@Priority(Attached.PRIORITY)
class AttachedInterceptor {

    private final ThreadStates threadStates;
    private final CdiRegistry registry;
    private final AttachedNames names;

    /** Takes the container's runtime: the extension's own bean, a {@link CdiRuntime}, injected without a proxy. */
    @Inject
    AttachedInterceptor(VigilRuntime runtime) {
        CdiRuntime container = (CdiRuntime) runtime;
        this.threadStates = container.threadStates();
        this.registry = container.registry();
        this.names = container.attachedNames();
    }

    @AroundInvoke
    @SuppressWarnings("try") // the token is only released, by try-with-resources
    Object attached(InvocationContext invocation) throws Exception {
        String name = names.of(invocation);
        InterpreterView view = registry.view(name);
        Optional<ThreadStateToken> token = threadStates.ensureFromView(view);
        if (token.isEmpty()) {
            throw finalizing(name, view, invocation.getMethod());
        }
        try (ThreadStateToken attached = token.get()) {
            return invocation.proceed();
        }
    }

    private static InterpreterFinalizingException finalizing(String name, InterpreterView view, Method method) {
        return new InterpreterFinalizingException(view.interpreterId(), "@Attached " + method.getDeclaringClass().getName()
                + "." + method.getName() + " not run: interpreter " + (name.isEmpty() ? "main" : "\"" + name + "\"")
                + " (#" + view.interpreterId() + ") is past its point of no return or finalized");
    }
}
