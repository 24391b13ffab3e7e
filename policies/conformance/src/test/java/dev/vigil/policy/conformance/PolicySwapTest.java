package dev.vigil.policy.conformance;

import static dev.vigil.policy.conformance.PolicyCase.A_WHILE;
import static dev.vigil.policy.testing.ShutdownHarness.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Vigil;
import dev.vigil.policy.testing.ShutdownHarness;
import dev.vigil.policy.testing.ShutdownHarness.Holder;
import dev.vigil.policy.testing.ShutdownHarness.HolderMode;
import dev.vigil.policy.testing.ShutdownHarness.Shutdown;
import dev.vigil.policy.testing.TestPolicies;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Swapping the active policy at run time (DESIGN.md P4), in both directions, while a shutdown
 * waits: it re-decides at once under the new policy, its clock running from when the wait
 * began; and swapping to and from a policy that throws (P5).
 */
class PolicySwapTest {

    private static final Duration GRACE = Duration.ofMillis(200);

    private ShutdownHarness h;

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    /** The report's events from the first one containing {@code from}, without the time prefix. */
    private static List<String> eventsFrom(FinalizationReport report, String from) {
        List<String> texts = report.events().stream().map(e -> e.substring(e.indexOf("ms  ") + 4)).toList();
        int i = 0;
        while (i < texts.size() && !texts.get(i).contains(from)) {
            i++;
        }
        assertThat(i).as("an event containing \"" + from + "\" in " + texts).isLessThan(texts.size());
        return texts.subList(i, texts.size());
    }

    @Test
    void P4_daemonHangToFailFast_aShutdownHungOnAGuard_abortsAtOnce_itsClockFromWhenTheWaitBegan() {
        h = ShutdownHarness.of(Vigil.builder().policy("daemon-hang").option("fail-fast.grace", "200ms"));
        h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();
        await("the wait to outlast fail-fast's grace").atMost(BOUND).until(() -> s.elapsed().compareTo(GRACE.multipliedBy(2)) > 0);

        long swapped = System.nanoTime();
        h.policies().use("fail-fast");
        FinalizationReport report = s.awaitAborted().report();
        Duration afterSwap = Duration.ofNanos(System.nanoTime() - swapped);

        assertThat(afterSwap).as("promptly, not after another grace").isLessThan(BOUND);
        assertThat(report.initialPolicy()).isEqualTo("daemon-hang");
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertThat(eventsFrom(report, "policy is now fail-fast")).as("abort decided at once, no new wait")
                .element(1).asString().startsWith("policy fail-fast: abort:");
    }

    @Test
    void P4_daemonHangToFailFast_beforeTheGraceIsOver_waitsTheRestOfIt() {
        h = ShutdownHarness.of(Vigil.builder().policy("daemon-hang").option("fail-fast.grace", "60s"));
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();
        h.policies().use("fail-fast");
        s.awaitWaitingWithDeadline(); // re-decided: fail-fast waits until its grace
        holder.release();
        FinalizationReport report = s.awaitCompleted();
        assertThat(eventsFrom(report, "policy is now fail-fast")).element(1).asString()
                .isEqualTo("policy fail-fast: wait until 60000 ms");
    }

    @Test
    void P4_failFastToDaemonHang_theWaitGoesOnPastTheGrace() {
        h = ShutdownHarness.of(Vigil.builder().policy("fail-fast").option("fail-fast.grace", "1s"));
        Holder holder = h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();
        h.policies().use("daemon-hang");
        s.assertStillWaitingFor(Duration.ofMillis(1500));

        holder.release();
        FinalizationReport report = s.awaitCompleted();
        assertThat(report.initialPolicy()).isEqualTo("fail-fast");
        assertThat(report.finalPolicy()).isEqualTo("daemon-hang");
        assertThat(eventsFrom(report, "policy is now daemon-hang")).element(1).asString()
                .isEqualTo("policy daemon-hang: wait for ever");
    }

    @Test
    void P4_timedInterruptToFailFast_andBack() {
        h = ShutdownHarness.of(Vigil.builder().policy("timed-interrupt")
                .option("timed-interrupt.timeout", "60s").option("timed-interrupt.interruptDelay", "60s")
                .option("fail-fast.grace", "60s"));
        Holder holder = h.holdGuard(h.main(), HolderMode.COOPERATIVE);
        Shutdown s = h.startShutdown().awaitWaiting();
        h.policies().use("fail-fast");
        h.policies().use("timed-interrupt");
        h.runtime().interrupt(); // under timed-interrupt, within interruptDelay: ignored
        h.awaitNotice("interrupt ignored");
        s.awaitWaiting();
        h.policies().use("fail-fast");
        h.runtime().interrupt(); // under fail-fast: abort at once
        FinalizationReport report = s.awaitAborted().report();
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertThat(report.interruptsDelivered()).isEqualTo(2);
        assertThat(holder.interruptedAfter()).isEmpty();
    }

    /** P4 + P5: to a policy that throws (the default decides: the wait goes on) and from it (to fail-fast: abort). */
    @Test
    void P4_P5_toAPolicyThatThrows_andFromIt() {
        h = ShutdownHarness.of(Vigil.builder().policy(TestPolicies.throwing("broken")).option("fail-fast.grace", "200ms"));
        h.policies().use("daemon-hang");
        h.holdGuard(h.main(), HolderMode.STUBBORN);
        Shutdown s = h.startShutdown().awaitWaiting();

        h.policies().use("broken");
        assertThat(h.awaitNotice("policy broken (")).contains("the built-in default decides instead");
        s.assertStillWaitingFor(A_WHILE);

        h.policies().use("fail-fast");
        FinalizationReport report = s.awaitAborted().report();
        assertThat(report.initialPolicy()).isEqualTo("daemon-hang");
        assertThat(report.finalPolicy()).isEqualTo("fail-fast");
        assertThat(report.events()).anySatisfy(e -> assertThat(e).contains("policy broken (")
                .contains("the built-in default decides instead"));
    }

    /** A swap with no shutdown waiting only changes what the next one will do. */
    @Test
    void P4_swapBeforeShutdown_theNextShutdownFollowsTheNewPolicy() {
        h = ShutdownHarness.of(Vigil.builder().policy("daemon-hang").option("fail-fast.grace", "200ms"));
        h.policies().use("fail-fast");
        h.policies().use("daemon-hang");
        h.policies().use("fail-fast");
        h.holdGuard(h.main(), HolderMode.STUBBORN);
        FinalizationReport report = h.startShutdown().awaitAborted().report();
        assertThat(report.initialPolicy()).isEqualTo("fail-fast");
    }
}
