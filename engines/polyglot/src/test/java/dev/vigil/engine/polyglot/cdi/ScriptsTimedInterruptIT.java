package dev.vigil.engine.polyglot.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;

/** timed-interrupt through CDI: timeout 500 ms, interruptGrace 3 s. */
class ScriptsTimedInterruptIT extends ScriptsConformance {

    @Deployment
    static JavaArchive deployment() {
        return deployment(PolicyConfig.TimedInterrupt.class);
    }

    /** §6 + P3a: the holder interrupt stops the runaway @Attached script; the shutdown completes
     * within timeout + interruptGrace; afterwards the evaluator answers with Vigil's error. */
    @Test
    void P3a_timedInterrupt_stopsTheRunawayScript() throws Exception {
        ExecutorService pool = pool();
        try {
            Interpreter js = createRules();
            CompletableFuture<Object> f = runaway(pool, rules, js, scripts);
            long t0 = System.nanoTime();
            FinalizationReport report = runtime.registry().shutdown(js);
            completed(report);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500 + 3000));
            assertThat(stopped(f).isInterrupted()).isTrue();
            assertThatThrownBy(() -> scripts.eval(RulesBean.RULES, "1")).isInstanceOf(InterpreterFinalizingException.class);
        } finally {
            pool.shutdownNow();
        }
    }
}
