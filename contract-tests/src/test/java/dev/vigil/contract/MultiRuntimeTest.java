package dev.vigil.contract;

import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.InterpreterGuard;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.ThreadStateToken;
import dev.vigil.api.Vigil;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** DESIGN.md §1: each build() makes an independent runtime; several live in one JVM. */
class MultiRuntimeTest {

    @Test
    void runtimesAreIndependent_attachmentsGuardsPoliciesAndShutdown() throws Exception {
        try (Support.Rt one = new Support.Rt(); Support.Rt two = new Support.Rt(Vigil.builder()
                .policy(Support.abortingAfter(Support.SHORT)))) {
            assertThat(one.runtime.registry().main()).isNotSameAs(two.runtime.registry().main());
            assertThat(one.runtime.registry().main().id()).isNotEqualTo(two.runtime.registry().main().id());
            assertThat(one.runtime.policies().active()).isEqualTo("daemon-hang");
            assertThat(two.runtime.policies().active()).isEqualTo("test-abort");
            try (ThreadStateToken t1 = one.runtime.threadStates().ensureFromView(one.runtime.guards().viewOfMain())
                    .orElseThrow()) {
                assertThat(two.runtime.threadStates().current()).isEmpty();
                try (ThreadStateToken t2 = two.runtime.threadStates().legacyEnsure()) {
                    assertThat(one.runtime.threadStates().current()).contains(one.runtime.registry().main());
                    assertThat(two.runtime.threadStates().current()).contains(two.runtime.registry().main());
                }
            }
            InterpreterGuard held = one.runtime.guards().fromView(one.runtime.guards().viewOfMain()).orElseThrow();
            // two shuts down completely while one's main is guarded
            assertThat(get(two.async(() -> two.runtime.registry().shutdown())).outcome())
                    .isEqualTo(FinalizationReport.Outcome.COMPLETED);
            assertThat(two.runtime.registry().main().state()).isEqualTo(InterpreterState.FINALIZED);
            assertThat(one.runtime.registry().main().state()).isEqualTo(InterpreterState.RUNNING);
            Future<FinalizationReport> shutdownOne = one.async(() -> one.runtime.registry().shutdown());
            one.awaitShuttingDown(one.runtime.registry().main());
            Support.assertStillWaiting(shutdownOne);
            held.close();
            assertThat(get(shutdownOne).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        }
    }
}
