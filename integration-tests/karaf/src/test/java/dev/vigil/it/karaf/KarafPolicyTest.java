package dev.vigil.it.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the per-policy Karaf tests share: a fresh Karaf with the Vigil feature installed as
 * the README says ({@code feature:repo-add} + {@code feature:install}), checks that its
 * services are up, a guard held from the shell, and the report of the shutdown.
 */
abstract class KarafPolicyTest {

    static final String VERSION = System.getProperty("vigil.it.version");
    static final Duration POLL = Duration.ofMillis(100);

    Karaf karaf;

    /**
     * Karaf 4.4.10 runs on Java 17 to 23 only (measured on Temurin 25: its scripts pass
     * {@code -Djava.security.manager=allow}, which Java 24+ refuses at start, and without it
     * pax-logging fails on {@code Subject.getSubject}, unsupported since Java 24). The tests run
     * Karaf on the build's JDK, so on 24+ they are skipped, saying so.
     */
    @BeforeAll
    static void karafRunsOnThisJava() {
        int feature = Runtime.version().feature();
        if (feature >= 24) {
            System.out.println("[karaf-it] SKIPPED on Java " + feature + ": Apache Karaf 4.4.10 does not run on Java 24+ "
                    + "(Security Manager flag refused, Subject.getSubject unsupported); run these tests on Java 17-23");
        }
        Assumptions.assumeTrue(feature < 24, "Apache Karaf 4.4.10 does not run on Java " + feature
                + " (Security Manager flag refused, Subject.getSubject unsupported since Java 24)");
    }

    /**
     * Starts a fresh Karaf with these etc/ files, installs the feature as the README says, checks
     * that the bundles are active, the services answer with the expected policy, and takes a guard
     * on main from the shell ({@code vigil:guard main}, held by a thread of the shell bundle). One
     * client session: each {@code bin/client} is a JVM start.
     */
    void startWithFeatureAndHoldGuard(String name, String feature, String activePolicy, Map<String, String> cfgFiles)
            throws Exception {
        karaf = Karaf.fresh(name, cfgFiles);
        karaf.start();
        String out = karaf.client("feature:repo-add mvn:dev.vigil/vigil-features/" + VERSION + "/xml/features",
                "feature:install " + feature,
                "bundle:list -t 0 -s",
                "vigil:policy",
                "vigil:interpreters",
                "vigil:guard main",
                "vigil:guards");
        for (String bsn : new String[] {"dev.vigil.api", "dev.vigil.registry", "dev.vigil.guards",
                "dev.vigil.threadstate", "dev.vigil.shell", "dev.vigil.policy." + activePolicy}) {
            assertThat(out).as("bundle %s active", bsn)
                    .containsPattern("Active\\s*\\|\\s*\\d+\\s*\\|[^|]*\\|\\s*" + bsn.replace(".", "\\.") + "\\s");
        }
        assertThat(out).contains("active: " + activePolicy)
                .containsPattern("main \\(main\\)|\\bmain\\b")
                .contains("guard #1 on main (#0) held by thread")
                .contains("main (#0)");
    }

    /** The report, where Vigil's notices land: Karaf's output today, Karaf's log through the Log Service. */
    String reports() throws IOException {
        return karaf.output() + karaf.log();
    }

    /**
     * §7: the report reaches Karaf's log ({@code data/log/karaf.log}, what {@code log:display}
     * shows): the registry logs through the OSGi Log Service, which Karaf's pax-logging provides.
     */
    void assertReportInKarafLog(String text) throws IOException {
        assertThat(karaf.log()).as("the report in karaf.log (log:display)").contains(text);
    }

    /** Stops Karaf ({@code bin/stop}, or SIGTERM), waits (bounded) for its process to end; returns how long that took (ms). */
    long stopAndAwaitExit(boolean bySigterm) throws Exception {
        ProcessHandle process = karaf.process().orElseThrow();
        long at = System.nanoTime();
        if (bySigterm) {
            karaf.sigterm();
        } else {
            karaf.stop();
        }
        return Duration.ofNanos(karaf.awaitExit(process) - at).toMillis();
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
