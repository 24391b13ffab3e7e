package dev.vigil.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import dev.vigil.spi.FinalizationPolicy;
import dev.vigil.spi.LateAttachContext;
import dev.vigil.spi.LateAttachDecision;
import dev.vigil.spi.WaitContext;
import dev.vigil.spi.WaitDecision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Shared test machinery, after the JSR-166 TCK: a few named delays scaled by one factor
 * ({@code -Dvigil.test.timeoutFactor}), work on other threads whose results and assertion
 * failures come back to the test thread through futures, and a bound on every wait.
 */
final class Support {

    private Support() {
    }

    static final double FACTOR = Double.parseDouble(System.getProperty("vigil.test.timeoutFactor", "1"));
    /** Long enough for anything that should happen to happen. */
    static final Duration LONG = scaled(10_000);
    /** How long to watch for something that should not happen. */
    static final Duration SHORT = scaled(200);

    static Duration scaled(long millis) {
        return Duration.ofMillis((long) (millis * FACTOR));
    }

    static ConditionFactory eventually() {
        return Awaitility.await().atMost(LONG).pollInterval(Duration.ofMillis(5));
    }

    /** A runtime whose notices are collected instead of printed. */
    static final class Rt implements AutoCloseable {
        final List<String> notices = new CopyOnWriteArrayList<>();
        final VigilRuntime runtime;
        final ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "contract-worker");
            t.setDaemon(true);
            return t;
        });

        Rt(Vigil.Builder builder) {
            runtime = builder.notices(notices::add).build();
        }

        Rt() {
            this(Vigil.builder());
        }

        <T> Future<T> async(Callable<T> c) {
            return pool.submit(c);
        }

        Future<FinalizationReport> shutdownAsync(Interpreter i) {
            return async(() -> runtime.registry().shutdown(i));
        }

        /** Waits until {@code i} is waiting in shutdown (its state shows SHUTTING_DOWN). */
        void awaitShuttingDown(Interpreter i) {
            eventually().until(() -> i.state() == InterpreterState.SHUTTING_DOWN);
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    static <T> T get(Future<T> f) throws Exception {
        return f.get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asserts that {@code f} is still running after {@link #SHORT}: it is waiting, as it should. */
    static void assertStillWaiting(Future<?> f) throws Exception {
        try {
            f.get(SHORT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException expected) {
            return;
        }
        assertThat(f.isDone()).as("expected to be still waiting").isFalse();
    }

    /** A test policy: waits {@code wait}, then aborts; interrupts abort at once; late attaches fail. */
    static FinalizationPolicy abortingAfter(Duration wait) {
        return new FinalizationPolicy() {
            @Override
            public String name() {
                return "test-abort";
            }

            @Override
            public WaitDecision onWait(WaitContext c) {
                return c.waited().compareTo(wait) >= 0 ? WaitDecision.abort("test grace of " + wait.toMillis() + " ms over")
                        : WaitDecision.waitUntil(wait);
            }

            @Override
            public WaitDecision onInterrupt(WaitContext c) {
                return WaitDecision.abort("interrupted");
            }

            @Override
            public LateAttachDecision onLateAttach(LateAttachContext c) {
                return LateAttachDecision.fail();
            }
        };
    }
}
