package dev.vigil.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import dev.vigil.api.VigilRuntime;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo workload on a plain-Java runtime (G2, G3, T3): calls go through views while the
 * interpreters shut down; some run, the rest are refused cleanly, none runs against a
 * finalizing or finalized interpreter; every demo interpreter ends finalized.
 */
class DemoTest {

    @ParameterizedTest
    @ValueSource(strings = { "daemon-hang", "fail-fast" })
    void G3_T3_noCallRunsAgainstADeadInterpreter(String policy) throws Exception {
        try (VigilRuntime rt = Vigil.builder().policy(policy).option("fail-fast.grace", "2s").build()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            boolean held = new Demo(rt.registry(), rt.guards(), rt.threadStates())
                    .run(4, 3, Duration.ofMillis(300), policy, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertThat(held).as(out).isTrue();
            assertThat(out).contains("calls against dead interpreters: 0").doesNotContain("worker failed");
            assertThat(out.lines().filter(l -> l.matches("demo\\d+-\\d+ .*COMPLETED")).count()).as(out).isEqualTo(3);
            assertThat(rt.registry().interpreters()).as("only main is left")
                    .allMatch(i -> i.isMain() && i.state() == InterpreterState.RUNNING);
        }
    }
}
