package dev.vigil.engine.polyglot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The engine bundle (classifier {@code osgi}, the polyglot jars embedded) in a real Felix with
 * SCR and the Vigil bundles (DESIGN.md §6, §5): its component registers the
 * {@link PolyglotInterpreters} service, JavaScript runs in an engine-backed interpreter, a held
 * runaway script is named by {@code vigil:scripts}, and stopping the bundle cancels the script
 * and leaves no thread of Vigil's or the engine's. Services are reached by reflection: every
 * Vigil package is a bundle's here, none the host's.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PolyglotBundleFelixTest {

    private static final Duration BOUND = EngineRuntime.BOUND;
    private static final List<String> BUNDLES = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.scr", "org.apache.felix.configadmin", "vigil-api", "vigil-policy-daemon-hang",
            "vigil-policy-fail-fast", "vigil-policy-timed-interrupt", "vigil-registry", "vigil-threadstate",
            "vigil-guards");

    @Test
    void engineBundleRunsJavaScriptAndStopsClean(@TempDir Path storage) throws Exception {
        Framework framework = vigilFramework(storage);
        try {
            BundleContext ctx = framework.getBundleContext();
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            Bundle engine = startEngineBundle(ctx);
            Object engines = service(ctx, "dev.vigil.engine.polyglot.PolyglotInterpreters");
            Object js = call(engines, "create", "osgi-js", "js");
            assertThat(call(engines, "eval", js, "answer.js", "6 * 7")).isEqualTo(42L);

            Object commands = service(ctx, "dev.vigil.engine.polyglot.osgi.PolyglotComponent");
            call(commands, "evalheld", "osgi-js", "while (true) {}");
            await("the held script to run").atMost(BOUND)
                    .until(() -> ((List<?>) call(engines, "running")).size() == 1);
            assertThat(((List<?>) call(engines, "running")).get(0).toString()).contains("runs js shell:1 in osgi-js");

            engine.stop(); // deactivation cancels the script and ends every thread the bundle started
            await("no thread of the engine bundle left").atMost(BOUND).untilAsserted(() ->
                    assertThat(newThreads(before)).isEmpty());
        } finally {
            framework.stop();
            framework.waitForStop(BOUND.toMillis());
        }
    }

    /**
     * DESIGN.md §5 "update + refresh leaves old class loaders collectable", for the 27.6 MB engine
     * bundle: {@value #CYCLES} cycles of a JS eval, update and refresh; once the current revision
     * ran JS too, every old class loader is collected (WeakReference cleared after GC, bounded
     * retries) and no thread of Vigil's or the engine's is left. Bounded, not zero: the loader of
     * the newest revision that ran an engine stays until another revision runs one (measured).
     * The evaluations run on threads that end (Truffle leaves a thread-local value on each thread
     * that entered a context: a thread that lives on keeps the loader); the bundle removes
     * GraalVM's engine shutdown hook at stop (surefire's argLine opens java.lang).
     */
    @Test
    void updateAndRefreshLeaveOldClassLoadersCollectable(@TempDir Path storage) throws Exception {
        Framework framework = vigilFramework(storage);
        try {
            BundleContext ctx = framework.getBundleContext();
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            Bundle engine = startEngineBundle(ctx);
            List<WeakReference<ClassLoader>> old = new ArrayList<>();
            for (int i = 0; i < CYCLES; i++) {
                long cycle = i;
                Object result = onThreadThatEnds(() -> {
                    Object engines = service(ctx, "dev.vigil.engine.polyglot.PolyglotInterpreters");
                    old.add(new WeakReference<>(engines.getClass().getClassLoader()));
                    Object js = call(engines, "create", "cycle-" + cycle, "js");
                    return call(engines, "eval", js, "cycle.js", cycle + " * 2");
                });
                assertThat(result).isEqualTo(2L * i);
                engine.update();
                refresh(ctx, engine);
            }
            // the newest revision that ran an engine keeps its loader until another revision runs
            // one (measured; held inside the JVM or Truffle, not found): the current one runs JS
            assertThat(onThreadThatEnds(() -> {
                Object engines = service(ctx, "dev.vigil.engine.polyglot.PolyglotInterpreters");
                return call(engines, "eval", call(engines, "create", "current", "js"), "current.js", "1 + 1");
            })).isEqualTo(2L);
            engine.stop();
            await("every old engine class loader collected").atMost(BOUND).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        System.gc();
                        return old.stream().allMatch(r -> r.get() == null);
                    });
            await("no thread of the engine bundle left").atMost(BOUND).untilAsserted(() ->
                    assertThat(newThreads(before)).isEmpty());
        } finally {
            framework.stop();
            framework.waitForStop(BOUND.toMillis());
        }
    }

    private static final int CYCLES = 5;

    /** A Felix with SCR, Configuration Admin and the Vigil bundles started. */
    private static Framework vigilFramework(Path storage) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // TOOLCHAIN.md pitfall 22: else NoClassDefFoundError jdk/internal/module/Modules at engine build;
        // jdk.internal.access too on JDK 25 (else ClassNotFoundException jdk.internal.access.JavaLangAccess)
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "jdk.internal.module,jdk.internal.access");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        for (String name : BUNDLES) {
            installed.add(ctx.installBundle(Path.of(System.getProperty("vigil.it.bundles"), name + ".jar").toUri().toString()));
        }
        for (Bundle b : installed) {
            b.start();
        }
        service(ctx, "dev.vigil.api.InterpreterRegistry");
        return framework;
    }

    /** Installs and starts the engine bundle (classifier osgi). */
    private static Bundle startEngineBundle(BundleContext ctx) throws Exception {
        Bundle engine = ctx.installBundle(Path.of(System.getProperty("vigil.it.engineBundle")).toUri().toString());
        engine.start();
        return engine;
    }

    /** Refreshes {@code bundle} and waits (bounded) for the refresh to finish. */
    private static void refresh(BundleContext ctx, Bundle bundle) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        EngineRuntime.await(done, "the refresh of " + bundle.getSymbolicName());
    }

    /** Runs {@code task} on a thread that ends, and returns its result (bounded). */
    private static Object onThreadThatEnds(Callable<Object> task) throws Exception {
        FutureTask<Object> f = new FutureTask<>(task);
        Thread t = new Thread(f, "evaluator");
        t.start();
        Object result = f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        t.join(BOUND.toMillis());
        return result;
    }

    /** Threads started since {@code before} and alive, but Awaitility's and the guards bundle's
     * leak watch (started at the first guard of the runtime, ended with the runtime: not the
     * engine bundle's). */
    private static List<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                .filter(t -> !t.getName().startsWith("awaitility") && !t.getName().startsWith("vigil-leak-watch-"))
                .map(Thread::getName).collect(Collectors.toList());
    }

    private static Object service(BundleContext ctx, String className) throws InterruptedException {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(ctx, className, null);
        tracker.open(true); // all services: the system bundle wires to none of these packages
        try {
            Object s = tracker.waitForService(BOUND.toMillis());
            assertThat(s).as("service %s within %s", className, BOUND).isNotNull();
            return s;
        } finally {
            tracker.close();
        }
    }

    private static Object call(Object target, String name, Object... args) throws ReflectiveOperationException {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length && fits(m, args)) {
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static boolean fits(Method m, Object[] args) {
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            if (!types[i].isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }
}
