package dev.vigil.engine.polyglot.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationAbortedException;
import dev.vigil.api.Interpreter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;

/** fail-fast through CDI: grace 300 ms. */
class ScriptsFailFastIT extends ScriptsConformance {

    @Deployment
    static JavaArchive deployment() {
        return deployment(PolicyConfig.FailFast.class);
    }

    /** §6 + P3a, F6: the shutdown aborts; once the script is stopped the interpreter evaluates,
     * and a retried shutdown completes. */
    @Test
    void P3a_failFast_abortsAndTheInterpreterStillEvaluates() throws Exception {
        ExecutorService pool = pool();
        try {
            Interpreter js = createRules();
            CompletableFuture<Object> f = runaway(pool, rules, js, scripts);
            assertThatThrownBy(() -> runtime.registry().shutdown(js)).isInstanceOf(FinalizationAbortedException.class);
            assertThat(scripts.engines().interrupt(js, BOUND)).isTrue();
            assertThat(stopped(f).isInterrupted()).isTrue();
            assertThat(rules.run("++hits")).isEqualTo(2L);
            completed(runtime.registry().shutdown(js));
        } finally {
            pool.shutdownNow();
        }
    }
}
