package dev.vigil.it.osgi;

import static dev.vigil.it.osgi.OsgiContainer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * The same bundles on Eclipse Equinox (issue 4: not Felix-only), with Felix SCR and
 * Configuration Admin as portable bundles. Unlike the Felix tests, the API bundle itself is
 * installed, so its exports are what the other bundles wire to; this test has no Vigil jar on
 * its class path (Surefire execution {@code equinox}) and reaches the services by reflection.
 */
class EquinoxSmokeTest {

    private static OsgiContainer osgi;

    @BeforeAll
    static void startEquinox() throws Exception {
        List<String> bundles = new ArrayList<>(OsgiContainer.RUNTIME);
        bundles.add("vigil-api");
        bundles.addAll(OsgiContainer.POLICIES);
        bundles.addAll(OsgiContainer.VIGIL);
        osgi = OsgiContainer.start(OsgiContainer.storage("equinox"), Map.of(), bundles);
    }

    @AfterAll
    static void stopEquinox() {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void equinox_bundlesResolveAndActivate() {
        assertThat(osgi.context().getBundle(0).getSymbolicName()).isEqualTo("org.eclipse.osgi");
        for (Bundle b : osgi.context().getBundles()) {
            assertThat(b.getState()).as("state of %s", b.getSymbolicName()).isEqualTo(Bundle.ACTIVE);
        }
    }

    @Test
    void equinox_configurationAdminSwapsThePolicy() {
        Object policies = osgi.service("dev.vigil.api.Policies");
        await().atMost(TIMEOUT).until(() -> ((Set<?>) OsgiContainer.call(policies, "dev.vigil.api.Policies",
                "available")).size() == 3);
        osgi.configure("dev.vigil.runtime", Map.of("policy", "fail-fast"));
        await().atMost(TIMEOUT).until(() -> OsgiContainer.call(policies, "dev.vigil.api.Policies", "active")
                .equals("fail-fast"));
        osgi.deleteConfiguration("dev.vigil.runtime");
        await().atMost(TIMEOUT).until(() -> OsgiContainer.call(policies, "dev.vigil.api.Policies", "active")
                .equals("daemon-hang"));
    }

    @Test
    void equinox_servicesComeUp_andAnswer() {
        for (String type : List.of("dev.vigil.api.InterpreterRegistry", "dev.vigil.api.InterpreterGuards",
                "dev.vigil.api.ThreadStates", "dev.vigil.api.Policies", "dev.vigil.spi.kernel.Kernel")) {
            osgi.service(type);
            assertThat(osgi.serviceCount(type)).as(type).isEqualTo(1);
        }
        await().atMost(TIMEOUT).until(() -> osgi.serviceCount("dev.vigil.spi.FinalizationPolicy") == 3);

        Object registry = osgi.service("dev.vigil.api.InterpreterRegistry");
        assertThat((List<?>) OsgiContainer.call(registry, "dev.vigil.api.InterpreterRegistry", "interpreters"))
                .hasSize(1);
        Object policies = osgi.service("dev.vigil.api.Policies");
        await().atMost(TIMEOUT).until(() -> ((Set<?>) OsgiContainer.call(policies, "dev.vigil.api.Policies",
                "available")).size() == 3);
        assertThat(OsgiContainer.call(policies, "dev.vigil.api.Policies", "active")).isEqualTo("daemon-hang");
        Object guards = osgi.service("dev.vigil.api.InterpreterGuards");
        Object view = OsgiContainer.call(guards, "dev.vigil.api.InterpreterGuards", "viewOfMain");
        assertThat(view.getClass().getClassLoader()).as("made by the guards bundle")
                .isSameAs(guards.getClass().getClassLoader());
        OsgiContainer.call(view, "dev.vigil.api.InterpreterView", "close");
    }
}
