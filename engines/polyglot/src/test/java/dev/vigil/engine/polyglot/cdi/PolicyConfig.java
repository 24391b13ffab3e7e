package dev.vigil.engine.polyglot.cdi;

import dev.vigil.cdi.VigilConfigurator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** The configuration observers, one per policy; each deployment holds exactly one. */
public final class PolicyConfig {

    private PolicyConfig() {
    }

    @ApplicationScoped
    public static class DaemonHang {
        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("daemon-hang");
        }
    }

    @ApplicationScoped
    public static class FailFast {
        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("fail-fast").option("fail-fast.grace", "300ms");
        }
    }

    @ApplicationScoped
    public static class TimedInterrupt {
        void configure(@Observes VigilConfigurator vigil) {
            vigil.policy("timed-interrupt").option("timed-interrupt.timeout", "500ms")
                    .option("timed-interrupt.interruptGrace", "3s");
        }
    }
}
