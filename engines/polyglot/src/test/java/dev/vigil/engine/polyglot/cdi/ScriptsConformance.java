package dev.vigil.engine.polyglot.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.VigilRuntime;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.graalvm.polyglot.PolyglotException;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The injectable evaluator ({@link Scripts}) and {@code @Attached} beans running real JavaScript
 * through CDI (Arquillian, embedded Weld), one subclass per policy (DESIGN.md §6, P3). Every
 * wait is bounded by {@link #BOUND}.
 */
@ExtendWith(ArquillianExtension.class)
abstract class ScriptsConformance {

    static final Duration BOUND = Duration.ofSeconds(20L * Integer.getInteger("vigil.test.timeoutFactor", 1));

    @Inject VigilRuntime runtime;
    @Inject Scripts scripts;
    @Inject RulesBean rules;

    static JavaArchive deployment(Class<?> config) {
        return ShrinkWrap.create(JavaArchive.class).addClasses(Scripts.class, RulesBean.class, config)
                .addAsManifestResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    /** A fresh "rules" interpreter (the container's runtime outlives each test). */
    Interpreter createRules() {
        Interpreter js = scripts.create(RulesBean.RULES, "js");
        assertThat(scripts.eval(RulesBean.RULES, "var hits = 0; ++hits")).isEqualTo(1L);
        return js;
    }

    /** Runs the runaway script in an {@code @Attached} call on a thread of its own. */
    static CompletableFuture<Object> runaway(ExecutorService pool, RulesBean bean, Interpreter js, Scripts scripts) {
        CompletableFuture<Object> f = CompletableFuture.supplyAsync(() -> bean.run("while (true) {}"), pool);
        Awaitility.await("the runaway script to run").atMost(BOUND)
                .until(() -> !scripts.engines().running().isEmpty());
        return f;
    }

    static PolyglotException stopped(CompletableFuture<Object> f) throws Exception {
        try {
            f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the runaway script returned");
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(PolyglotException.class);
            return (PolyglotException) e.getCause();
        }
    }

    static ExecutorService pool() {
        return Executors.newCachedThreadPool();
    }

    static void completed(FinalizationReport report) {
        assertThat(report.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
    }
}
