package dev.vigil.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine bundle in the distribution (DESIGN.md §6, S1, S3): a real process with a runaway
 * JavaScript script held in a guard ({@code vigil:evalheld}) receives a real SIGINT; under
 * {@code timed-interrupt} the holder interrupt stops the script, its guard closes and the
 * shutdown completes (exit 0).
 */
class PolyglotScriptsIT {

    @Test
    void S1_P3a_timedInterrupt_sigintStopsRunawayScript_exit0() throws Exception {
        try (DistributionProcess p = DistributionProcess.start(List.of("-Dvigil.policy=timed-interrupt",
                "-Dvigil.policy.timed-interrupt.timeout=500ms", "-Dvigil.policy.timed-interrupt.interruptGrace=5s"),
                "--stay", "-c", "vigil:script rules js; vigil:evalheld rules 'while (true) {}'")) {
            p.awaitLine("created js interpreter rules");
            p.awaitLine("evaluating shell in rules on thread \"vigil-script-rules-1\"");
            p.signal("INT");
            assertThat(p.awaitLine("[vigil-script-rules-1] shell ended")).contains("PolyglotException");
            assertThat(p.awaitLine("Finalization of rules")).contains("COMPLETED");
            assertThat(p.awaitExit()).as("exit code after a completed shutdown (S3)").isZero();
        }
    }
}
