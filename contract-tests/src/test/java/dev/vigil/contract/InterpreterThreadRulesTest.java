package dev.vigil.contract;

import static dev.vigil.contract.Support.assertStillWaiting;
import static dev.vigil.contract.Support.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.api.FinalizationReport;
import dev.vigil.api.Interpreter;
import dev.vigil.api.InterpreterFinalizingException;
import dev.vigil.api.InterpreterState;
import dev.vigil.api.Vigil;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rule H1: interpreter threads are born attached; non-daemon ones are joined at shutdown. */
class InterpreterThreadRulesTest {

    private final Support.Rt rt = new Support.Rt();
    private final Interpreter sub = rt.runtime.registry().create("sub");

    @AfterEach
    void tearDown() {
        rt.close();
    }

    @Test
    void H1_threadsAreBornAttachedToTheirInterpreter() throws Exception {
        for (boolean daemon : new boolean[] {false, true}) {
            CompletableFuture<Optional<Interpreter>> seen = new CompletableFuture<>();
            Thread t = sub.threadFactory(daemon).newThread(() -> seen.complete(rt.runtime.threadStates().current()));
            assertThat(t.isDaemon()).isEqualTo(daemon);
            assertThat(t.getName()).contains("sub");
            t.start();
            assertThat(get(seen)).contains(sub);
            t.join(Support.LONG.toMillis());
        }
    }

    @Test
    void H1_nonDaemonThreadsAreJoinedByShutdown() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Thread worker = sub.threadFactory(false).newThread(() -> {
            running.countDown();
            try {
                release.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        worker.start();
        assertThat(running.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Future<FinalizationReport> shutdown = rt.shutdownAsync(sub);
        rt.awaitShuttingDown(sub);
        assertStillWaiting(shutdown);
        release.countDown();
        FinalizationReport r = get(shutdown);
        assertThat(r.outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        assertThat(r.events()).anyMatch(e -> e.contains("non-daemon thread(s) [" + worker.getName()));
        worker.join(Support.LONG.toMillis());
    }

    @Test
    void H1_aThreadStartedBeforeShutdownIsJoinedBeforeTheAtExitHooks_evenIfItHasNotRunYet() throws Exception {
        for (int round = 0; round < 100; round++) {
            Interpreter i = rt.runtime.registry().create("round-" + round);
            java.util.List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            rt.runtime.registry().atExit(i, () -> log.add("hook"));
            i.threadFactory(false).newThread(() -> log.add("thread")).start();
            rt.runtime.registry().shutdown(i); // right after start(): the body may not have run yet
            assertThat(log).containsExactly("thread", "hook");
        }
    }

    @Test
    void H1_daemonThreadsAreNotJoined_andTheirAttachmentIsRevokedAtThePointOfNoReturn() throws Exception {
        CountDownLatch attached = new CountDownLatch(1);
        CountDownLatch finalized = new CountDownLatch(1);
        CompletableFuture<Optional<Interpreter>> after = new CompletableFuture<>();
        Thread daemon = sub.threadFactory(true).newThread(() -> {
            attached.countDown();
            try {
                finalized.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS);
                after.complete(rt.runtime.threadStates().current());
            } catch (InterruptedException e) {
                after.completeExceptionally(e);
            }
        });
        daemon.start();
        // attached before the point of no return (started after it, it would be a late attach)
        assertThat(attached.await(Support.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(get(rt.shutdownAsync(sub)).outcome()).isEqualTo(FinalizationReport.Outcome.COMPLETED);
        finalized.countDown();
        // still names it, but the interpreter is gone: the attachment was revoked
        assertThat(get(after)).hasValueSatisfying(i -> assertThat(i.state()).isEqualTo(InterpreterState.FINALIZED));
        daemon.join(Support.LONG.toMillis());
    }

    @Test
    void H1_pastThePointOfNoReturnNoThreadIsMade_andOneMadeBeforeButStartedAfterIsALateAttach() throws Exception {
        try (Support.Rt failing = new Support.Rt(Vigil.builder().policy(Support.abortingAfter(Support.SHORT)))) {
            Interpreter s = failing.runtime.registry().create("s");
            CompletableFuture<Boolean> ran = new CompletableFuture<>();
            CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
            Thread early = s.threadFactory(false).newThread(() -> ran.complete(true));
            early.setUncaughtExceptionHandler((t, e) -> uncaught.complete(e));
            failing.runtime.registry().shutdown(s);
            assertThat(s.threadFactory(false).newThread(() -> { })).isNull();
            early.start();
            assertThat(get(uncaught)).isInstanceOf(InterpreterFinalizingException.class);
            assertThat(ran).isNotDone();
            early.join(Support.LONG.toMillis());
        }
    }
}
