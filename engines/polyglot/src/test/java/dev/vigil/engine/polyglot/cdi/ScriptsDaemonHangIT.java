package dev.vigil.engine.polyglot.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;

/** daemon-hang through CDI. */
class ScriptsDaemonHangIT extends ScriptsConformance {

    @Deployment
    static JavaArchive deployment() {
        return deployment(PolicyConfig.DaemonHang.class);
    }

    /** §6 + P3a: the shutdown waits until the script's @Attached call lets go of its guard;
     * running() names the script and its line meanwhile. */
    @Test
    void P3a_daemonHang_waitsUntilTheScriptsGuardCloses() throws Exception {
        ExecutorService pool = pool();
        try {
            Interpreter js = createRules();
            CompletableFuture<Object> f = runaway(pool, rules, js, scripts);
            CompletableFuture<FinalizationReport> shutdown = CompletableFuture.supplyAsync(() -> runtime.registry().shutdown(js));
            org.awaitility.Awaitility.await().atMost(BOUND).until(() -> runtime.interrupt()); // waiting, report printed
            assertThat(scripts.engines().running()).singleElement().asString().contains("js rules.js:1 in rules");
            assertThat(shutdown).isNotDone();
            assertThat(scripts.engines().interrupt(js, BOUND)).isTrue(); // the operator stops the script
            stopped(f);
            completed(shutdown.get(BOUND.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            pool.shutdownNow();
        }
    }
}
