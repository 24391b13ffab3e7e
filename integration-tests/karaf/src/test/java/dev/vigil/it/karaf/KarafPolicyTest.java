package dev.vigil.it.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;

/**
 * What the per-policy Karaf tests share: a fresh Karaf with the Vigil feature installed as
 * the README says ({@code feature:repo-add} + {@code feature:install}), checks that its
 * services are up, a guard held from the shell, and the report of the shutdown.
 */
abstract class KarafPolicyTest {

    static final String VERSION = System.getProperty("vigil.it.version");
    static final Duration POLL = Duration.ofMillis(100);

    Karaf karaf;

    /** Starts a fresh Karaf with these etc/ files and installs the feature; checks the services. */
    void startWithFeature(String name, String feature, String activePolicy, Map<String, String> cfgFiles) throws Exception {
        karaf = Karaf.fresh(name, cfgFiles);
        karaf.start();
        karaf.client("feature:repo-add mvn:dev.vigil/vigil-features/" + VERSION + "/xml/features",
                "feature:install " + feature);
        String bundles = karaf.client("bundle:list -t 0 -s");
        for (String bsn : new String[] {"dev.vigil.api", "dev.vigil.registry", "dev.vigil.guards",
                "dev.vigil.threadstate", "dev.vigil.shell"}) {
            assertThat(bundles).as("bundle %s active", bsn).containsPattern("Active\\s*\\|\\s*\\d+\\s*\\|[^|]*\\|\\s*" + bsn.replace(".", "\\.") + "\\b");
        }
        await("the runtime's services and the policy " + activePolicy).atMost(Karaf.BOUND).pollInterval(POLL)
                .untilAsserted(() -> assertThat(karaf.client("vigil:policy")).contains("active: " + activePolicy));
        assertThat(karaf.client("vigil:interpreters")).contains("main");
    }

    /** {@code vigil:guard main}: a guard on main held by a thread of the shell bundle. */
    void holdGuard() throws Exception {
        assertThat(karaf.client("vigil:guard main")).contains("guard #1 on main");
        assertThat(karaf.client("vigil:guards")).contains("main (#");
    }

    /** The report, where Vigil's notices land: Karaf's output today, Karaf's log through the Log Service. */
    String reports() throws IOException {
        return karaf.output() + karaf.log();
    }

    /**
     * §7: the report reaches Karaf's log ({@code data/log/karaf.log}, what {@code log:display}
     * shows) once the registry logs through the OSGi Log Service; a registry that still prints
     * its notices to {@code System.err} (no {@code org.osgi.service.log} import) is reported,
     * not failed.
     */
    void assertReportInKarafLog(String text) throws IOException {
        if (registryUsesLogService()) {
            assertThat(karaf.log()).as("the report in karaf.log (log:display)").contains(text);
        } else {
            System.out.println("[karaf-it] vigil-registry does not import org.osgi.service.log: its report went to "
                    + "Karaf's output (karaf.out), not log:display; assertion on karaf.log skipped");
        }
    }

    private static boolean registryUsesLogService() {
        Path jar = Path.of(System.getProperty("vigil.it.karafRepo"), "dev", "vigil", "vigil-registry", VERSION,
                "vigil-registry-" + VERSION + ".jar");
        try (JarFile j = new JarFile(jar.toFile())) {
            String imports = j.getManifest().getMainAttributes().getValue("Import-Package");
            return imports != null && imports.contains("org.osgi.service.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long millisSince(long nanoStart, long nanoEnd) {
        return Duration.ofNanos(nanoEnd - nanoStart).toMillis();
    }

    @AfterEach
    void killLeftovers() throws Exception {
        if (karaf != null) {
            karaf.kill();
            if (Files.exists(karaf.home)) {
                Files.writeString(karaf.home.resolve("README-test.txt"), "left by " + getClass().getName() + "\n");
            }
        }
    }
}
