package dev.vigil.cdi;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated business method — or every business method of the annotated bean —
 * attached to an interpreter, as Cython's {@code with gil:} block does: the interceptor
 * promotes a view of the interpreter and attaches the calling thread
 * ({@code threadStates.ensureFromView(view)}, rule T3), proceeds, and releases on the same
 * thread however the method ends.
 *
 * <p>While the method runs it holds a guard, so the interpreter cannot pass its point of no
 * return (G3): a shutdown that begins meanwhile waits for the method to return, as long as
 * the active policy lets it (P3a). Once the interpreter is past the point of no return, or
 * finalized, the call fails with {@link dev.vigil.api.InterpreterFinalizingException} and
 * the method body does not run — never against a dead interpreter. During steps 1–4 of a
 * shutdown ({@code SHUTTING_DOWN}) guards are still obtainable, so calls still run (F8).
 *
 * <p>Only the method body runs attached: work it hands to other threads, or the completion
 * of a returned {@code CompletionStage}, does not. Nesting is cheap (T1a).
 *
 * <p>The interceptor is enabled for the whole application, at {@link #PRIORITY}.
 */
@InterceptorBinding
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Attached {

    /** The priority of the {@code @Attached} interceptor: early among library interceptors. */
    int PRIORITY = Interceptor.Priority.LIBRARY_BEFORE + 10;

    /**
     * The name of the interpreter to attach to; empty (the default) for the runtime's main
     * interpreter. A subinterpreter is found by the name it was created with through the
     * injected {@link dev.vigil.api.InterpreterRegistry}; after it finalized, a new
     * subinterpreter created with the same name takes its place. A call naming an interpreter
     * never created there fails with {@link IllegalStateException}, the body not run.
     */
    @Nonbinding
    String value() default "";
}
