package dev.vigil.it.osgi;

import static dev.vigil.it.osgi.OsgiContainer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * The Equinox smoke check of bundle hygiene (DESIGN.md section 5, issue 13): with guards in
 * use (so that the guards bundle's leak watch runs), stopping the Vigil bundles leaves no
 * thread named {@code vigil*} that they started. Reaches the services by reflection, as
 * {@link EquinoxSmokeTest} does (no Vigil jar on this execution's class path).
 */
class EquinoxHygieneTest {

    @Test
    void equinox_stoppingTheVigilBundles_leavesNoVigilThreadTheyStarted() throws Exception {
        Set<Thread> before = VigilThreads.now();
        List<String> bundles = new ArrayList<>(OsgiContainer.RUNTIME);
        bundles.add("vigil-api");
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        OsgiContainer osgi = OsgiContainer.start(OsgiContainer.storage("equinox-hygiene"), Map.of(), bundles);
        try {
            Object guards = osgi.service("dev.vigil.api.InterpreterGuards");
            ClassLoader api = guards.getClass().getClassLoader();
            Class<?> guardsType = api.loadClass("dev.vigil.api.InterpreterGuards");
            Class<?> viewType = api.loadClass("dev.vigil.api.InterpreterView");
            Object view = guardsType.getMethod("viewOfMain").invoke(guards);
            Object guard = ((Optional<?>) guardsType.getMethod("fromView", viewType).invoke(guards, view)).orElseThrow();
            api.loadClass("dev.vigil.api.InterpreterGuard").getMethod("close").invoke(guard);
            assertThat(VigilThreads.since(before)).as("the leak watch runs while guards are in use")
                    .anyMatch(t -> t.getName().startsWith("vigil-leak-watch"));
            for (String name : List.of("dev.vigil.guards", "dev.vigil.threadstate", "dev.vigil.registry")) {
                osgi.bundle(name).stop();
            }
            for (Bundle b : osgi.context().getBundles()) {
                if (b.getSymbolicName().startsWith("dev.vigil.")) {
                    b.stop();
                }
            }
            await("no vigil thread left").atMost(TIMEOUT).until(() -> VigilThreads.since(before).isEmpty());
        } finally {
            osgi.close();
        }
    }
}
