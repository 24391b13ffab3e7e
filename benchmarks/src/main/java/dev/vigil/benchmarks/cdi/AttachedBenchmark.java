package dev.vigil.benchmarks.cdi;

import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.VigilRuntime;
import dev.vigil.cdi.Attached;
import dev.vigil.cdi.VigilExtension;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InterceptorBinding;
import jakarta.interceptor.InvocationContext;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of {@link Attached} (issue 5), beside its parts in the same run, on one thread
 * that is not attached:
 * <ul>
 * <li>{@code proxiedCall}: an application-scoped bean's method through Weld's client proxy, no interceptor;</li>
 * <li>{@code noopIntercepted}: the same with a no-op interceptor — Weld's own interceptor overhead;</li>
 * <li>{@code ensureFromViewRelease}: {@code ensureFromView}+release around the same work, no CDI;</li>
 * <li>{@code attached}: the same method annotated {@code @Attached}.</li>
 * </ul>
 * The bar: {@code attached − noopIntercepted ≤ ensureFromViewRelease} (what the interceptor
 * adds beyond Weld's overhead is no more than the attach itself), within noise. The runtime's
 * diagnostics level is a parameter ({@code off}: the owned guard is only a count).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AttachedBenchmark {

    /** Interceptor binding of the no-op baseline interceptor. */
    @InterceptorBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Noop {
    }

    /** Proceeds, nothing else: Weld's interceptor machinery alone. Same priority as {@code @Attached}'s. */
    @Noop
    @Interceptor
    @Priority(Attached.PRIORITY)
    public static class NoopInterceptor {
        @AroundInvoke
        Object proceed(InvocationContext invocation) throws Exception {
            return invocation.proceed();
        }
    }

    /** The work, without interceptor. */
    @ApplicationScoped
    public static class PlainWork {
        public int work(int x) {
            return x + 1;
        }
    }

    /** The work, with the no-op interceptor. */
    @ApplicationScoped
    public static class NoopWork {
        @Noop
        public int work(int x) {
            return x + 1;
        }
    }

    /** The work, attached to the main interpreter. */
    @ApplicationScoped
    public static class AttachedWork {
        @Attached
        public int work(int x) {
            return x + 1;
        }
    }

    @Param({"off", "simple"})
    public String diagnostics;

    public int x = 41;
    private WeldContainer weld;
    private PlainWork plain;
    private NoopWork noop;
    private AttachedWork attached;
    private ThreadStates threadStates;
    private InterpreterView mainView;

    @Setup
    public void setUp() {
        System.setProperty("vigil.diagnostics", diagnostics);
        try {
            weld = new Weld().disableDiscovery()
                    .property("org.jboss.weld.se.shutdownHook", false)
                    .addExtension(new VigilExtension())
                    .addBeanClasses(PlainWork.class, NoopWork.class, AttachedWork.class, NoopInterceptor.class)
                    .initialize();
        } finally {
            System.clearProperty("vigil.diagnostics");
        }
        plain = weld.select(PlainWork.class).get();
        noop = weld.select(NoopWork.class).get();
        attached = weld.select(AttachedWork.class).get();
        VigilRuntime runtime = weld.select(VigilRuntime.class).get();
        threadStates = runtime.threadStates();
        mainView = runtime.guards().viewOfMain();
    }

    @TearDown
    public void tearDown() {
        weld.close();
    }

    @Benchmark
    public int proxiedCall() {
        return plain.work(x);
    }

    @Benchmark
    public int noopIntercepted() {
        return noop.work(x);
    }

    @Benchmark
    public int ensureFromViewRelease() {
        try (ThreadStateToken t = threadStates.ensureFromView(mainView).orElseThrow()) {
            return x + 1;
        }
    }

    @Benchmark
    public int attached() {
        return attached.work(x);
    }
}
