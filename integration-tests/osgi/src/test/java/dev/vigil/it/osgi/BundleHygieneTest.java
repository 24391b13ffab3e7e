package dev.vigil.it.osgi;

import static dev.vigil.it.osgi.OsgiContainer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterGuards;
import dev.vigil.api.InterpreterView;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.ThreadStates;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Bundle hygiene in Felix (DESIGN.md section 5, issue 13): nothing a Vigil bundle starts
 * outlives it. Stopping the Vigil bundles leaves no thread named {@code vigil*} that they
 * started; updating and refreshing the guards bundle 20 times, with guards taken, ensured and
 * closed through each generation, keeps the thread count flat and lets every old class loader
 * of the bundle be collected (a {@link WeakReference} to it cleared after GC). The guards are
 * taken on this test's own thread, which outlives every generation — as a framework's or
 * pool's thread would — so a per-thread value left behind would show.
 */
class BundleHygieneTest {

    private static final int CYCLES = 20;

    private OsgiContainer osgi;
    private Set<Thread> before;

    @BeforeEach
    void start() throws Exception {
        before = VigilThreads.now();
        List<String> bundles = new ArrayList<>(OsgiContainer.RUNTIME);
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        osgi = OsgiContainer.start(OsgiContainer.storage("hygiene"),
                Map.of(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, OsgiContainer.API_FROM_HOST), bundles);
    }

    @AfterEach
    void stop() {
        if (osgi != null) {
            osgi.close();
        }
    }

    /** Section 5: the Vigil bundles' threads (the guards' leak watch among them) end when they stop. */
    @Test
    void stoppingTheVigilBundles_leavesNoVigilThreadTheyStarted() throws Exception {
        useGuardsAndThreadStates();
        assertThat(VigilThreads.since(before)).as("the leak watch runs while guards are in use")
                .anyMatch(t -> t.getName().startsWith("vigil-leak-watch"));
        for (String name : List.of("dev.vigil.guards", "dev.vigil.threadstate", "dev.vigil.registry")) {
            osgi.bundle(name).stop();
        }
        for (Bundle b : osgi.context().getBundles()) {
            if (b.getSymbolicName().startsWith("dev.vigil.policy.")) {
                b.stop();
            }
        }
        await("no vigil thread left").atMost(TIMEOUT).until(() -> VigilThreads.since(before).isEmpty());
    }

    /** Section 5: update + refresh of the guards bundle, 20 times: old class loaders collectable, threads flat. */
    @Test
    void updateAndRefreshOfTheGuardsBundle_twentyTimes_leavesOldClassLoadersCollectable() throws Exception {
        List<WeakReference<ClassLoader>> old = new ArrayList<>();
        useGuardsAndThreadStates();
        int threads = VigilThreads.since(before).size();
        for (int i = 0; i < CYCLES; i++) {
            old.add(new WeakReference<>(guardsLoader()));
            Bundle guards = osgi.bundle("dev.vigil.guards");
            guards.update();
            refresh(guards);
            useGuardsAndThreadStates();
            assertThat(VigilThreads.since(before).size()).as("vigil threads after cycle %s", i + 1).isLessThanOrEqualTo(threads);
        }
        await("old guards class loaders collected").atMost(TIMEOUT.multipliedBy(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    System.gc();
                    return old.stream().allMatch(r -> r.get() == null);
                });
        assertThat(guardsLoader()).as("the current generation is alive").isNotNull();
    }

    /** Opens and closes guards (simple diagnostics: a ledger of this thread, the leak watch) and ensures with them. */
    @SuppressWarnings("try")
    private void useGuardsAndThreadStates() {
        InterpreterGuards guards = osgi.service(InterpreterGuards.class);
        ThreadStates threadStates = osgi.service(ThreadStates.class);
        try (InterpreterView view = guards.viewOfMain()) {
            for (int i = 0; i < 3; i++) {
                InterpreterGuard g = guards.fromView(view).orElseThrow();
                try (ThreadStateToken t = threadStates.ensure(g);
                        ThreadStateToken nested = threadStates.ensure(g)) {
                    assertThat(guards.openGuards()).hasSize(1);
                } finally {
                    g.close();
                }
                threadStates.ensureFromView(view).orElseThrow().close();
            }
        }
        assertThat(guards.openGuards()).isEmpty();
        unget(InterpreterGuards.class);
        unget(ThreadStates.class);
    }

    private ClassLoader guardsLoader() {
        InterpreterGuards guards = osgi.service(InterpreterGuards.class);
        try {
            return guards.getClass().getClassLoader();
        } finally {
            unget(InterpreterGuards.class);
        }
    }

    private void unget(Class<?> type) {
        ServiceReference<?> ref = osgi.context().getServiceReference(type.getName());
        if (ref != null) {
            while (osgi.context().ungetService(ref)) {
                // the system bundle's use count back to zero: nothing of this generation held here
            }
        }
    }

    private void refresh(Bundle bundle) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        osgi.framework().adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertThat(refreshed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("refreshed within %s", TIMEOUT)
                .isTrue();
        await().atMost(TIMEOUT).until(() -> osgi.serviceCount(InterpreterGuards.class.getName()) == 1);
    }
}
