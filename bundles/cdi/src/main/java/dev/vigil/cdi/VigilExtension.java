package dev.vigil.cdi;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterRegistry;
import dev.vigil.api.Policies;
import dev.vigil.api.ThreadStates;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The CDI portable extension of Vigil, registered in
 * {@code META-INF/services/jakarta.enterprise.inject.spi.Extension}: adding the
 * {@code vigil-cdi} jar to a CDI application (Weld SE {@code new Weld().initialize()}, or a
 * Jakarta EE server) is all it takes.
 *
 * <p>What it does, in the container's lifecycle:
 * <ol>
 * <li>Before discovery: adds the {@link Attached} interceptor, enabled by its priority.</li>
 * <li>After discovery: adds beans of the types {@link VigilRuntime}, {@link InterpreterRegistry},
 *     {@link InterpreterGuards}, {@link ThreadStates} and {@link Policies}, qualified
 *     {@code @Default}, in the {@link Singleton} pseudo-scope — one instance per container, no
 *     client proxy, so an injected service costs what the plain-Java one does.</li>
 * <li>After validation: fires {@link VigilConfigurator}, then builds the runtime with
 *     {@code Vigil.builder()}; a configuration error fails the deployment. The registry bean
 *     fires {@link FinalizationRequested}, {@link InterpreterFinalized} and
 *     {@link FinalizationAborted}.</li>
 * <li>At container shutdown: shuts the runtime down under the active policy, as
 *     {@link VigilRuntime#close()} does — when the application context is about to be
 *     destroyed ({@code @BeforeDestroyed(ApplicationScoped.class)}), so that application-scoped
 *     observers and {@link Attached} services still work while it runs; on
 *     {@link BeforeShutdown} if the container never announced that. It blocks container
 *     shutdown for as long as the policy waits (under {@code daemon-hang}, until the last
 *     guard closes). If the policy aborts, the report goes to the notices sink and the
 *     container goes on shutting down, the runtime left {@code RUNNING} (F6).</li>
 * </ol>
 *
 * <p>One instance per container; thread-safe.
 */
public final class VigilExtension implements Extension {

    private volatile CdiRuntime runtime;
    private volatile Consumer<String> notices = text -> System.getLogger("dev.vigil.cdi").log(System.Logger.Level.WARNING, text);
    private final AtomicBoolean shutDown = new AtomicBoolean();

    /** Made by the container through {@link java.util.ServiceLoader}. */
    public VigilExtension() {
    }

    void addInterceptor(@Observes BeforeBeanDiscovery discovery, BeanManager beans) {
        discovery.addAnnotatedType(beans.createAnnotatedType(AttachedInterceptor.class),
                AttachedInterceptor.class.getName());
    }

    void addBeans(@Observes AfterBeanDiscovery discovery) {
        addBean(discovery, VigilRuntime.class, rt -> rt);
        addBean(discovery, InterpreterRegistry.class, CdiRuntime::registry);
        addBean(discovery, InterpreterGuards.class, CdiRuntime::guards);
        addBean(discovery, ThreadStates.class, CdiRuntime::threadStates);
        addBean(discovery, Policies.class, CdiRuntime::policies);
    }

    private <T> void addBean(AfterBeanDiscovery discovery, Class<T> type, Function<CdiRuntime, T> service) {
        discovery.addBean()
                .beanClass(VigilExtension.class)
                .types(type, Object.class)
                .scope(Singleton.class)
                .id(VigilExtension.class.getName() + "#" + type.getSimpleName())
                .createWith(context -> service.apply(runtime()));
    }

    void buildRuntime(@Observes AfterDeploymentValidation validation, BeanManager beans) {
        try {
            VigilConfigurator configurator = new VigilConfigurator(Vigil.builder());
            beans.getEvent().select(VigilConfigurator.class).fire(configurator);
            notices = configurator.notices();
            runtime = new CdiRuntime(configurator.build(), beans.getEvent());
        } catch (RuntimeException e) {
            validation.addDeploymentProblem(e);
        }
    }

    void shutdownBeforeApplicationContextEnds(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        shutdownRuntime();
    }

    void shutdownAtLatest(@Observes BeforeShutdown event) {
        shutdownRuntime();
    }

    /** Shuts the runtime down once, under the active policy; an abort is reported, not thrown. */
    private void shutdownRuntime() {
        CdiRuntime rt = runtime;
        if (rt == null || !shutDown.compareAndSet(false, true)) {
            return;
        }
        try {
            rt.close();
        } catch (FinalizationAbortedException e) {
            notices.accept("[vigil] container shutdown goes on with the runtime RUNNING: " + e.getMessage());
        }
    }

    /**
     * The container's runtime.
     *
     * @throws IllegalStateException before the deployment was validated, or if building the
     *         runtime failed
     */
    CdiRuntime runtime() {
        CdiRuntime rt = runtime;
        if (rt == null) {
            throw new IllegalStateException("the Vigil runtime is not built: the container is not deployed yet, "
                    + "or its configuration failed (see the deployment problem)");
        }
        return rt;
    }
}
