package dev.vigil.it.cdi.config;

import dev.vigil.cdi.VigilConfigurator;
import dev.vigil.it.cdi.Notices;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The configuration observers, one per policy: each deployment holds exactly one (this
 * package is excluded from class-path discovery by {@code META-INF/beans.xml}). Short option
 * values keep the P3 waits short; notices go to {@link Notices}.
 */
public final class PolicyConfigs {

    private PolicyConfigs() {
    }

    /** daemon-hang, CPython's behaviour; no options. */
    @ApplicationScoped
    public static class DaemonHang {
        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("daemon-hang").notices(Notices::add);
        }
    }

    /** fail-fast with a grace long enough to tell an abort on interrupt from one on grace. */
    @ApplicationScoped
    public static class FailFast {
        public static final String GRACE = "1s";

        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("fail-fast").option("fail-fast.grace", GRACE).notices(Notices::add);
        }
    }

    /**
     * timed-interrupt with short times; the interrupt delay is short enough for a test to
     * interrupt both within it and after it, well before the timeout.
     */
    @ApplicationScoped
    public static class TimedInterrupt {
        public static final String TIMEOUT = "3s";
        public static final String INTERRUPT_GRACE = "500ms";
        public static final String INTERRUPT_DELAY = "1s";

        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("timed-interrupt")
                    .option("timed-interrupt.timeout", TIMEOUT)
                    .option("timed-interrupt.interruptGrace", INTERRUPT_GRACE)
                    .option("timed-interrupt.interruptDelay", INTERRUPT_DELAY)
                    .option("vigil.diagnostics", "full")
                    .notices(Notices::add);
        }
    }

    /** A configuration whose value the policy refuses: the deployment must fail (P6). */
    @ApplicationScoped
    public static class BadGrace {
        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("fail-fast").option("fail-fast.grace", "soon");
        }
    }
}
